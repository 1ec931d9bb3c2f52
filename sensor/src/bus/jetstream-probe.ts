/**
 * Asks a nats-server which partition mapping it applies. The server config Vigil generates
 * (scripts/nats/mappings.sh) maps `vigil.partitions.probe.<nonce>` to
 * `vigil.partitions.probe.<nonce>.<P>.{{partition(P,1)}}` next to the events mapping. Without it the
 * probe message keeps its subject and our subscription never sees it; the flush round trip bounds the
 * wait, because the server delivers to our own subscription before it answers the ping.
 */
import { randomBytes } from "node:crypto";
import type { NatsConnection } from "@nats-io/transport-node";
import { BusError } from "./errors.ts";
import { parseProbeReply, partitionOf, PARTITION_PROBE_PREFIX, type PartitionMapping } from "./partitions.ts";

/** After the flush, how long a late probe reply (a busy server) may still arrive. */
const GRACE_MS = 250;

/** The mapping the connected server applies, or undefined when it applies none. */
export async function probePartitionMapping(nc: NatsConnection, where: string): Promise<PartitionMapping | undefined> {
  const nonce = `p${randomBytes(6).toString("hex")}`;
  const sub = nc.subscribe(`${PARTITION_PROBE_PREFIX}.${nonce}.>`, { max: 1 });
  try {
    const reply = (async () => {
      for await (const m of sub) return m.subject;
      return undefined;
    })();
    await nc.flush();
    nc.publish(`${PARTITION_PROBE_PREFIX}.${nonce}`);
    await nc.flush();
    const timer = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), GRACE_MS).unref());
    const subject = await Promise.race([reply, timer]);
    if (subject === undefined) return undefined;
    const parsed = parseProbeReply(nonce, subject);
    if (!parsed || parsed.count < 1) {
      throw new BusError("BUS_PARTITION_MAPPING", `NATS at ${where} answered the partition probe with "${subject}"`);
    }
    // Same hash or the in-process bus and a server would disagree about where a tenant lives.
    const ours = partitionOf(nonce, parsed.count);
    if (ours !== parsed.partition) {
      throw new BusError(
        "BUS_PARTITION_MAPPING",
        `NATS at ${where} put probe "${nonce}" in partition ${parsed.partition} of ${parsed.count}, Vigil computes ${ours}: the server's partition function differs`,
      );
    }
    return { count: parsed.count };
  } finally {
    sub.unsubscribe();
  }
}
