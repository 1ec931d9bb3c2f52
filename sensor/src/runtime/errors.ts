/** Machine-readable codes for failures of the sensor runtime (publisher, spool). */
export type SensorErrorCode = "SENSOR_IDENTITY_MISMATCH" | "SENSOR_CLOSED" | "SENSOR_SPOOL_LOCKED" | "SENSOR_INVALID_OPTIONS";

/** A coded sensor-runtime error; `message` is written for an operator. */
export class SensorError extends Error {
  override readonly name = "SensorError";
  constructor(
    readonly code: SensorErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `err` is a SensorError, optionally with the given code. */
export function isSensorError(err: unknown, code?: SensorErrorCode): err is SensorError {
  return err instanceof SensorError && (code === undefined || err.code === code);
}
