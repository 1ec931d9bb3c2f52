// Absolute locations of the @vigil/db files, so the scripts behave the same from any cwd.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
export const schemaPath = join(packageDir, "schema.prisma");
export const migrationsDir = join(packageDir, "migrations");
/** Must match `output` in schema.prisma (relative to the schema file). */
export const generatedDirFromSchema = join("src", "generated", "prisma");
export const generatedDir = join(packageDir, generatedDirFromSchema);
