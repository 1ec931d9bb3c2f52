/** Codes for a collection archive that cannot be read at all (problems inside one are reported, not thrown). */
export type SharpHoundErrorCode = "SHARPHOUND_UNREADABLE" | "SHARPHOUND_NOT_ZIP" | "SHARPHOUND_LIMIT" | "SHARPHOUND_EMPTY";

/** A coded error of the SharpHound reader; `message` is written for an operator. */
export class SharpHoundError extends Error {
  override readonly name = "SharpHoundError";
  constructor(
    readonly code: SharpHoundErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `err` is a SharpHoundError, optionally with the given code. */
export function isSharpHoundError(err: unknown, code?: SharpHoundErrorCode): err is SharpHoundError {
  return err instanceof SharpHoundError && (code === undefined || err.code === code);
}
