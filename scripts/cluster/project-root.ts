import { existsSync } from 'node:fs';
import path from 'node:path';

/** The project root: the nearest folder above this file (in scripts/ or compiled in dist/scripts/) with a package.json. */
export function projectRoot(): string {
  let folder = __dirname;
  while (!existsSync(path.join(folder, 'package.json'))) folder = path.dirname(folder);
  return folder;
}
