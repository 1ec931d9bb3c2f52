#!/usr/bin/env node
// Generates the Prisma client (prisma/src/generated/prisma) from prisma/schema.prisma without network.
//
//   node prisma/scripts/generate.mjs           regenerate in place (root `postinstall`)
//   node prisma/scripts/generate.mjs --check   regenerate into a temp dir; exit 1 if the checked-out
//                                              client is missing or differs (root `check:generated`)
//
// The Prisma 7 CLI insists on locating its native schema engine even for `generate`, which never uses
// it, and tries to download it from binaries.prisma.sh (unreachable here and in CI). Pointing
// PRISMA_SCHEMA_ENGINE_BINARY at a stub executable satisfies the lookup (../../shared/STACK.md §4).
// Needs no database.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { generatedDir, generatedDirFromSchema, packageDir, schemaPath } from "./paths.mjs";

const check = process.argv.includes("--check");

function prismaCli() {
  try {
    return join(dirname(createRequire(join(packageDir, "package.json")).resolve("prisma/package.json")), "build", "index.js");
  } catch {
    return undefined;
  }
}

function makeStubEngine(dir) {
  const stub = join(dir, "schema-engine-stub");
  writeFileSync(stub, '#!/bin/sh\necho "vigil: the native Prisma schema engine is not used offline" >&2\nexit 1\n');
  chmodSync(stub, 0o755);
  return stub;
}

/** Runs `prisma generate` for `schema`; returns the CLI's combined output, throws on failure. */
function runGenerate(cli, schema, workDir, quiet) {
  const result = spawnSync(process.execPath, [cli, "generate", "--schema", schema], {
    cwd: dirname(schema),
    encoding: "utf8",
    stdio: quiet ? "pipe" : "inherit",
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: makeStubEngine(workDir),
      CHECKPOINT_DISABLE: "1",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    },
  });
  if (result.status !== 0) {
    const output = quiet ? `${result.stdout ?? ""}${result.stderr ?? ""}` : "";
    throw new Error(`prisma generate failed (exit ${result.status ?? result.signal})\n${output}`);
  }
}

function listFiles(root) {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

/** Differences between the freshly generated tree and the checked-out one, as readable lines. */
function compareTrees(fresh, current) {
  const freshFiles = listFiles(fresh);
  const currentFiles = new Set(listFiles(current));
  const problems = [];
  for (const file of freshFiles) {
    if (!currentFiles.has(file)) problems.push(`missing: ${file}`);
    else if (!readFileSync(join(fresh, file)).equals(readFileSync(join(current, file)))) problems.push(`stale:   ${file}`);
    currentFiles.delete(file);
  }
  for (const file of currentFiles) problems.push(`extra:   ${file}`);
  return problems;
}

function main() {
  const cli = prismaCli();
  if (!cli) {
    // A production install without devDependencies has no CLI; the client must come from the build.
    const msg = "vigil: the `prisma` package is not installed, so the Prisma client was not generated";
    if (check) throw new Error(msg);
    console.warn(`${msg} (skipped).`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), "vigil-prisma-"));
  try {
    if (!check) {
      runGenerate(cli, schemaPath, work, false);
      return;
    }
    const schemaCopy = join(work, "schema.prisma");
    copyFileSync(schemaPath, schemaCopy);
    runGenerate(cli, schemaCopy, work, true);
    const problems = compareTrees(join(work, generatedDirFromSchema), generatedDir);
    if (problems.length > 0) {
      console.error(
        `vigil: ${relative(dirname(packageDir), generatedDir)} is out of date with prisma/schema.prisma:\n` +
          problems.map((p) => `  ${p}`).join("\n") +
          "\nRun `node prisma/scripts/generate.mjs` to regenerate it.",
      );
      process.exitCode = 1;
      return;
    }
    console.log("vigil: the generated Prisma client is up to date.");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
