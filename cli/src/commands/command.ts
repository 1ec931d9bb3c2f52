import type { VigilEnv } from "../env.ts";

/** What every `vigil <command>` receives: the parsed env, its own arguments and a stderr logger. */
export interface CommandContext {
  env: VigilEnv;
  args: string[];
  log: (line: string) => void;
  /** Where machine-readable output goes (stdout), kept apart from the log. */
  out: (line: string) => void;
}

/** A long-running command hands this back so SIGINT / SIGTERM shut it down cleanly. */
export interface Running {
  stop(): Promise<void>;
  /** Resolves if the command ends by itself (e.g. a sensor that finished its files). */
  done?: Promise<void>;
}

/** A command either runs until stopped or finishes with an exit code. */
export type CommandResult = Running | number;

/** Thrown for wrong command-line usage; main prints it with the usage text and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
