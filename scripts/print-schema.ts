import 'reflect-metadata';
import { printAppSchema } from '../src/schema';

printAppSchema().then(
  (schema) => process.stdout.write(schema),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
