import { StartupError } from "./adapters.ts";
import { UsageError, type CommandContext, type CommandResult } from "./commands/command.ts";
import { EnvError, parseEnv } from "./env.ts";

type CommandModule = { run(ctx: CommandContext): Promise<CommandResult> };

/** Lazy, so `vigil detect` never pays for loading the GraphQL stack and vice versa. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  start: { summary: "every role in one process (embedded stores unless service URLs are set)", load: () => import("./commands/start.ts") },
  sensor: { summary: "read Windows event files / streams and publish them (needs NATS_URL)", load: () => import("./commands/sensor.ts") },
  "ldap-sync": {
    summary: "sync users, groups, computers, GPOs… from a DC over LDAP and publish them (needs NATS_URL, VIGIL_LDAP_*)",
    load: () => import("./commands/ldap-sync.ts"),
  },
  processor: {
    summary: "consume events, run detections, write alerts and the identity graph",
    load: () => import("./commands/processor.ts"),
  },
  api: { summary: "serve GraphQL for portals (queries, mutations, live alert subscriptions)", load: () => import("./commands/api.ts") },
  detect: { summary: "run the detections offline over event files; one JSON alert per line", load: () => import("./commands/detect.ts") },
  parse: { summary: "print every record of EVTX / event XML / event JSON files as JSON lines", load: () => import("./commands/parse.ts") },
  schema: { summary: "print the GraphQL SDL", load: () => import("./commands/schema.ts") },
  import: {
    summary: "import a SharpHound collection zip, or GPO local admins from a SYSVOL copy (import gpo), into a tenant's identity graph",
    load: () => import("./commands/import.ts"),
  },
  "nats-init": {
    summary: "create keys and a nats-server config for operator (JWT) mode: per-sensor permissions",
    load: () => import("./commands/nats-init.ts"),
  },
};

const USAGE = `usage: vigil <command> [args]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)}  ${c.summary}`)
  .join("\n")}
  help        this text

configuration: environment variables, listed with comments in .env.example`;

// `vigil parse … | head` closes the pipe early; that is the reader saying "enough", not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const log = (line: string) => process.stderr.write(`vigil: ${line}\n`);
const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    log(`unknown command '${name}'\n${USAGE}`);
    return 2;
  }
  let result: CommandResult;
  try {
    // The one place that reads the process environment (DESIGN.md §3).
    const env = parseEnv(process.env);
    result = await (await command.load()).run({ env, args, log, out });
  } catch (error) {
    if (error instanceof EnvError || error instanceof StartupError) {
      log(`cannot start\n${error.problems.map((p) => `  - ${p}`).join("\n")}`);
      return 78; // EX_CONFIG: the operator must change something, a restart alone will not help
    }
    if (error instanceof UsageError) {
      log(`${error.message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (typeof result === "number") return result;
  const running = result;
  let failed = false;
  await new Promise<void>((resolveStop) => {
    let stopping = false;
    const stop = (reason: string) => {
      if (stopping) return;
      stopping = true;
      log(`${reason}: shutting down`);
      running.stop().then(resolveStop, (error: unknown) => {
        log(`shutdown error: ${error instanceof Error ? error.message : String(error)}`);
        resolveStop();
      });
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
    running.done?.then(
      () => stop("finished"),
      (error: unknown) => {
        failed = true;
        log(`failed: ${error instanceof Error ? error.message : String(error)}`);
        stop("failed");
      },
    );
  });
  // A run that ended in failure (`vigil ldap-sync --once` that could not bind, a sensor whose spool
  // broke) must say so to the scheduler or script that started it.
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
