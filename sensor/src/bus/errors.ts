/** Machine-readable codes for every failure the event bus reports to its callers. */
export type BusErrorCode =
  | "BUS_UNREACHABLE"
  | "BUS_JETSTREAM_UNAVAILABLE"
  | "BUS_STREAM_CONFIG"
  | "BUS_CONSUMER_CONFIG"
  | "BUS_INVALID_SUBJECT"
  | "BUS_INVALID_OPTIONS"
  | "BUS_PUBLISH_FAILED"
  | "BUS_CLOSED"
  | "BUS_PARTITION_MAPPING"
  | "BUS_PARTITION_FENCED"
  /** Operator-mode material (issuer file, creds) is missing or malformed. */
  | "BUS_AUTH_CONFIG"
  /** NATS did not take a user revocation (account JWT update). */
  | "BUS_AUTH_REVOKE_FAILED";

/** A coded bus error; `message` is written for an operator (e.g. "NATS at 127.0.0.1:4222 is unreachable"). */
export class BusError extends Error {
  override readonly name = "BusError";
  constructor(
    readonly code: BusErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `err` is a BusError, optionally with the given code. */
export function isBusError(err: unknown, code?: BusErrorCode): err is BusError {
  return err instanceof BusError && (code === undefined || err.code === code);
}

/** The first server as `host:port`, the way an operator would type it. */
export function describeServer(servers: string | readonly string[]): string {
  const first = (typeof servers === "string" ? servers.split(",")[0] : servers[0]) ?? "";
  const hostPort = first
    .trim()
    .replace(/^[a-z]+:\/\//i, "")
    .replace(/^[^@]*@/, "")
    .replace(/\/.*$/, "");
  return hostPort.includes(":") ? hostPort : `${hostPort || "127.0.0.1"}:4222`;
}
