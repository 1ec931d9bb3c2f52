/**
 * Codes of the GPO reader. Only a Policies directory that cannot be listed at all throws; a file that
 * cannot be read or parsed becomes a problem of that file (`PolicyFileProblem`) and the others are
 * still read.
 */
export type GpoErrorCode =
  /** The Policies / SYSVOL directory does not exist or cannot be listed. */
  | "GPO_DIRECTORY_UNREADABLE"
  /** A policy file is larger than the reader accepts. */
  | "GPO_FILE_TOO_LARGE"
  /** A policy file's bytes are not text in an encoding Group Policy writes (UTF-16LE, UTF-8). */
  | "GPO_BAD_ENCODING"
  /** A policy file is text but not the format its name says (INF syntax, XML, structure). */
  | "GPO_MALFORMED";

/** A coded error of the GPO reader; `message` is written for an operator. */
export class GpoError extends Error {
  override readonly name = "GpoError";
  constructor(
    readonly code: GpoErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `err` is a GpoError, optionally with the given code. */
export function isGpoError(err: unknown, code?: GpoErrorCode): err is GpoError {
  return err instanceof GpoError && (code === undefined || err.code === code);
}
