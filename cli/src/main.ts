import { StartupError } from "./adapters.ts";
import { start, type Running } from "./commands/start.ts";
import { EnvError, parseEnv } from "./env.ts";

const USAGE = `usage: vigil <command>

commands:
  start       every role in one process (embedded stores unless DATABASE_URL / NATS_URL / NEO4J_URI are set)
  help        this text

configuration: environment variables, listed with comments in .env.example`;

const log = (line: string) => process.stderr.write(`vigil: ${line}\n`);

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  if (command !== "start") {
    log(`unknown command '${command}'\n${USAGE}`);
    return 2;
  }
  let running: Running;
  try {
    // The one place that reads the process environment (DESIGN.md §3).
    running = await start(parseEnv(process.env), log);
  } catch (error) {
    if (error instanceof EnvError || error instanceof StartupError) {
      log(`cannot start\n${error.problems.map((p) => `  - ${p}`).join("\n")}`);
      return 78; // EX_CONFIG: the operator must change something, a restart alone will not help
    }
    throw error;
  }
  await new Promise<void>((resolveStop) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: shutting down`);
      running.stop().then(resolveStop, (error: unknown) => {
        log(`shutdown error: ${error instanceof Error ? error.message : String(error)}`);
        resolveStop();
      });
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
