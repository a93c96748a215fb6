import type { TestProject } from 'vitest/node';
import { openAdminDatabase } from './helpers/admin-database';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const admin = await openAdminDatabase();
  console.log(`Tests use PostgreSQL: ${admin.description}`);
  project.provide('adminDatabaseUrl', admin.url);
  return () => admin.stop();
}
