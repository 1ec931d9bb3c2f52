// Types for schema-engine.mjs (used by prisma/src/migrations.test.ts).
import type { PGlite } from "@electric-sql/pglite";

export declare const LOCKFILE_NAME: string;
export declare const LOCKFILE_CONTENT: string;
export declare function readMigrationsList(dir?: string): unknown;
export declare function openSchemaEngine(opts?: { pglite?: PGlite; schemaFile?: string; log?: (msg: string) => void }): Promise<{
  engine: unknown;
  close(): Promise<void>;
}>;
export declare function diffMigrationsToSchema(opts?: { dir?: string; schemaFile?: string }): Promise<string>;
export declare function engineApplyMigrations(pglite: PGlite, dir?: string): Promise<string[]>;
