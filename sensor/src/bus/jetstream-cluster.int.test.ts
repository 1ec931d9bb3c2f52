/**
 * The JetStream adapter on a 3-node NATS cluster (scripts/nats/cluster.sh): the same EventBus contract
 * as on the single server, with both streams at 3 replicas, plus what replicas change. The cluster is
 * started here (idempotently) because CI's `services.sh up` does not start one.
 */
import { execFileSync } from "node:child_process";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, describe, expect, it, vi } from "vitest";
import { testServices, uniqueTenantId } from "../../../test-support/services.ts";
import { eventBusContract } from "./event-bus.contract.ts";
import { connectJetStreamBus, type JetStreamEventBus } from "./jetstream.ts";

const script = new URL("../../../scripts/nats/cluster.sh", import.meta.url).pathname;
const given = process.env.VIGIL_TEST_NATS_CLUSTER_URL;
const clusterUrls = (
  given ??
  (execFileSync("bash", [script, "up", "3"], { stdio: ["ignore", "ignore", "inherit"] }),
  execFileSync("bash", [script, "urls", "3"], { encoding: "utf8" }).trim())
).split(",");
// A cluster this file started is stopped with it: left running, it holds the ports of the next checkout's run.
afterAll(() => {
  if (!given) execFileSync("bash", [script, "down", "3"], { stdio: ["ignore", "ignore", "inherit"] });
});

eventBusContract("jetstream, 3-node cluster, 3 replicas", {
  create: () => connectJetStreamBus({ servers: clusterUrls, namespace: uniqueTenantId("ns"), replicas: 3, connectTimeoutMs: 5000 }),
  dispose: (bus) => (bus as JetStreamEventBus).dropStreams(),
});

describe("jetstream bus replicas", () => {
  it("scales existing R1 streams to 3 replicas on the cluster; a bus without the option keeps them at 3", async () => {
    const namespace = uniqueTenantId("ns");
    const nc = await connect({ servers: clusterUrls });
    const jsm = await jetstreamManager(nc);
    const r1 = await connectJetStreamBus({ servers: clusterUrls, namespace });
    expect((await jsm.streams.info(r1.layout.eventsStream)).config.num_replicas).toBe(1);
    const r3 = await connectJetStreamBus({ servers: clusterUrls, namespace, replicas: 3 });
    // A process that does not state replicas (a sensor) leaves the count alone.
    const unstated = await connectJetStreamBus({ servers: clusterUrls, namespace });
    try {
      for (const name of [r3.layout.eventsStream, r3.layout.deadLetterStream]) {
        // Scaling up elects a leader again; until then the info lists all three peers and no leader.
        await vi.waitFor(
          async () => {
            const info = await jsm.streams.info(name);
            expect(info.config.num_replicas).toBe(3);
            expect(info.cluster?.leader).toMatch(/^vigil-n\d$/);
            // One leader and two followers, each on its own node.
            const nodes = [info.cluster?.leader, ...(info.cluster?.replicas ?? []).map((r) => r.name)];
            expect(new Set(nodes).size).toBe(3);
          },
          { timeout: 10_000, interval: 200 },
        );
      }
    } finally {
      await r3.dropStreams();
      await Promise.all([r1.close(), r3.close(), unstated.close(), nc.close()]);
    }
  });

  it("lets a per-stream replicas override the bus-wide one", async () => {
    const bus = await connectJetStreamBus({
      servers: clusterUrls,
      namespace: uniqueTenantId("ns"),
      replicas: 3,
      deadLetter: { replicas: 1 },
    });
    const nc = await connect({ servers: clusterUrls });
    try {
      const jsm = await jetstreamManager(nc);
      expect((await jsm.streams.info(bus.layout.eventsStream)).config.num_replicas).toBe(3);
      expect((await jsm.streams.info(bus.layout.deadLetterStream)).config.num_replicas).toBe(1);
    } finally {
      await bus.dropStreams();
      await Promise.all([bus.close(), nc.close()]);
    }
  });

  it("rejects replicas outside 1-5 before connecting, naming the option", async () => {
    for (const replicas of [0, 6, 1.5]) {
      await expect(connectJetStreamBus({ servers: clusterUrls, replicas })).rejects.toMatchObject({
        code: "BUS_INVALID_OPTIONS",
        message: `replicas must be an integer from 1 to 5, got ${replicas}`,
      });
    }
    await expect(connectJetStreamBus({ servers: clusterUrls, events: { replicas: 9 } })).rejects.toMatchObject({
      code: "BUS_INVALID_OPTIONS",
      message: expect.stringContaining("events.replicas"),
    });
  });

  it("says BUS_STREAM_CONFIG when a single non-clustered server is asked for 3 replicas", async () => {
    const err = await connectJetStreamBus({ servers: testServices.natsUrl, namespace: uniqueTenantId("ns"), replicas: 3 }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "BUS_STREAM_CONFIG", message: expect.stringContaining("cannot create or update stream") });
  });
});
