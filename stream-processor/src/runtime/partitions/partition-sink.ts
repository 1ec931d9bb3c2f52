/**
 * A partition's snapshot slot in the shared PartitionStore, as a Checkpointer sink. Snapshots are gzip'd
 * JSON (detection state compresses ~10×, and every byte is replicated three times). Each save quotes the
 * fence token of the previous one; when another instance has claimed the partition meanwhile the save
 * fails with BUS_PARTITION_FENCED, the acks it would have released stay unsent, and `onFenced` tells
 * the owner to stop consuming: the new owner redelivers those events from its own snapshot.
 */
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import { isBusError, type PartitionStore } from "@vigil/sensor/bus";
import type { ProcessorSnapshot, SnapshotSink } from "../checkpoint.ts";
import { PartitionError } from "./errors.ts";

const zip = promisify(gzip);
const unzip = promisify(gunzip);

/** Encode a snapshot for the store. */
export async function encodeSnapshot(snapshot: ProcessorSnapshot): Promise<Uint8Array> {
  return zip(JSON.stringify(snapshot));
}

/** Decode a stored snapshot; anything else is PARTITION_SNAPSHOT_INVALID (an operator must look). */
export async function decodeSnapshot(partition: number, data: Uint8Array): Promise<ProcessorSnapshot> {
  let parsed: Partial<ProcessorSnapshot>;
  try {
    parsed = JSON.parse((await unzip(data)).toString("utf8")) as Partial<ProcessorSnapshot>;
  } catch (err) {
    throw new PartitionError(
      "PARTITION_SNAPSHOT_INVALID",
      `snapshot of partition ${partition} is not gzip'd JSON: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (parsed.v !== 1 || !parsed.engine || !Array.isArray(parsed.outbox)) {
    throw new PartitionError("PARTITION_SNAPSHOT_INVALID", `snapshot of partition ${partition} is not a version 1 processor snapshot`);
  }
  return parsed as ProcessorSnapshot;
}

/** The fenced sink of one owned partition, starting from the claim's token. */
export function partitionSnapshotSink(
  store: PartitionStore,
  partition: number,
  owner: string,
  token: number,
  onFenced: (err: Error) => void,
): SnapshotSink {
  let current = token;
  return {
    where: `partition ${partition} snapshot`,
    async save(snapshot) {
      const data = await encodeSnapshot(snapshot);
      try {
        current = await store.saveSnapshot(partition, owner, data, current);
      } catch (err) {
        if (isBusError(err, "BUS_PARTITION_FENCED")) onFenced(err);
        throw err;
      }
    },
  };
}
