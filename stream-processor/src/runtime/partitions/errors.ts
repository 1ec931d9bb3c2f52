/** Why partitioned processing cannot start; `message` tells an operator what to change. */
export type PartitionErrorCode = "PARTITION_MAPPING_MISSING" | "PARTITION_COUNT_MISMATCH" | "PARTITION_SNAPSHOT_INVALID";

/** A coded error of partitioned processing. */
export class PartitionError extends Error {
  override readonly name = "PartitionError";
  constructor(
    readonly code: PartitionErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
