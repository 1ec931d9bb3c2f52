import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { testServices, uniqueTenantId } from "../../../test-support/services.ts";
import { eventBusContract } from "./event-bus.contract.ts";
import { connectJetStreamBus, type JetStreamEventBus } from "./jetstream.ts";

// Each bus gets its own namespace (own streams, own subject prefix) so suites share one nats-server.
eventBusContract("jetstream", {
  create: () => connectJetStreamBus({ servers: testServices.natsUrl, namespace: uniqueTenantId("ns") }),
  dispose: (bus) => (bus as JetStreamEventBus).dropStreams(),
});

describe("jetstream bus specifics", () => {
  it("fails fast with BUS_UNREACHABLE naming host:port when the server is down", async () => {
    const t0 = performance.now();
    const err = await connectJetStreamBus({ servers: "nats://127.0.0.1:1", connectTimeoutMs: 1000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "BUS_UNREACHABLE", message: expect.stringMatching(/^NATS at 127\.0\.0\.1:1 is unreachable/) });
    expect(performance.now() - t0).toBeLessThan(4000);
  });

  it("creates both streams on file storage and updates them idempotently at connect", async () => {
    const namespace = uniqueTenantId("ns");
    const a = await connectJetStreamBus({ servers: testServices.natsUrl, namespace, events: { duplicateWindowMs: 60_000 } });
    const b = await connectJetStreamBus({ servers: testServices.natsUrl, namespace, events: { duplicateWindowMs: 120_000 } });
    const nc = await connect({ servers: testServices.natsUrl });
    try {
      const jsm = await jetstreamManager(nc);
      const events = await jsm.streams.info(a.layout.eventsStream);
      expect(events.config).toMatchObject({ storage: "file", subjects: [`${namespace}.vigil.events.>`], duplicate_window: 120_000 * 1e6 });
      const dl = await jsm.streams.info(a.layout.deadLetterStream);
      expect(dl.config.subjects).toEqual([`${namespace}.vigil.deadletter.>`]);
      // Server-side max_deliver stays unlimited: the adapter counts deliveries and dead-letters itself.
      const h = await b.consume({
        durable: "proc",
        filterSubject: "vigil.events.>",
        maxDeliver: 3,
        ackWaitMs: 400,
        maxInFlight: 1,
        handler: () => {},
      });
      const consumer = await jsm.consumers.info(a.layout.eventsStream, "proc");
      expect(consumer.config).toMatchObject({ max_deliver: -1, ack_wait: 400 * 1e6, ack_policy: "explicit" });
      await h.stop();
      await expect(
        b.consume({ durable: "proc", filterSubject: "vigil.events.x.>", maxDeliver: 3, ackWaitMs: 400, maxInFlight: 1, handler: () => {} }),
      ).rejects.toMatchObject({ code: "BUS_CONSUMER_CONFIG" });
    } finally {
      await b.dropStreams();
      await Promise.all([a.close(), b.close(), nc.close()]);
    }
  });

  it("gives up within the connect timeout on an address that never answers", async () => {
    const t0 = performance.now();
    const err = await connectJetStreamBus({ servers: "nats://10.255.255.1:4222", connectTimeoutMs: 500 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "BUS_UNREACHABLE", message: expect.stringContaining("NATS at 10.255.255.1:4222 is unreachable") });
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it("reports health of the connection and stream", async () => {
    const bus = await connectJetStreamBus({ servers: testServices.natsUrl, namespace: uniqueTenantId("ns") });
    expect(await bus.health()).toMatchObject({ ok: true, adapter: "jetstream" });
    await bus.dropStreams();
    await bus.close();
    expect(await bus.health()).toMatchObject({ ok: false });
  });
});
