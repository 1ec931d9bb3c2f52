/**
 * The sensor's promise against a real broker: NATS dies (SIGKILL) while events flow, comes back on
 * the same store, and the stream ends up with every event exactly once, in the order read.
 */
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { connectJetStreamBus, type EventBus, type JetStreamEventBus } from "../bus/index.ts";
import { connectInBackground } from "./background-bus.ts";
import { logonEvent, SENSOR, SENSOR_KEY, TENANT, tempDir } from "./events.fixture.ts";
import { OwnNatsServer } from "./nats-server.fixture.ts";
import { createPublisher, type Publisher, type PublisherOptions } from "./publisher.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function ownServer() {
  const t = await tempDir("outage");
  cleanups.push(t.remove);
  const server = await OwnNatsServer.start(join(t.dir, "jetstream"));
  cleanups.push(() => server.kill());
  return { server, spoolDir: join(t.dir, "spool") };
}

// Short publish timeout: a publish into the dead connection gives up after 1 s and spools.
const connectBus = (url: string) => connectJetStreamBus({ servers: url, publishTimeoutMs: 1000, connectTimeoutMs: 1000 });

async function openPublisher(bus: EventBus, spoolDir: string): Promise<Publisher> {
  const options: PublisherOptions = {
    bus,
    tenantId: TENANT,
    sensorId: SENSOR,
    sensorKey: SENSOR_KEY,
    spoolDir,
    retry: { minMs: 100, maxMs: 1000 },
  };
  const publisher = await createPublisher(options);
  cleanups.push(() => publisher.close());
  return publisher;
}

/** Publishes events `from..to` in windows of 50, pausing between windows so the run spans real time. */
async function publishRange(publisher: Publisher, from: number, to: number, pauseMs: number): Promise<Record<string, number>> {
  const outcomes: Record<string, number> = {};
  for (let i = from; i <= to; i += 50) {
    const window = [];
    for (let n = i; n <= Math.min(to, i + 49); n++) window.push(publisher.publish(logonEvent(n)));
    for (const o of await Promise.all(window)) outcomes[o] = (outcomes[o] ?? 0) + 1;
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
  }
  return outcomes;
}

/** Every message in the stream, read through the bus port with a durable consumer, in stream order. */
async function readStream(bus: JetStreamEventBus, url: string, expected: number): Promise<{ msgIds: string[]; stored: number }> {
  const seen = new Map<number, string>();
  const handle = await bus.consume({
    durable: "verify",
    filterSubject: `vigil.events.${TENANT}.>`,
    maxDeliver: 1,
    ackWaitMs: 30_000,
    maxInFlight: 256,
    handler: async (m) => {
      seen.set(m.seq, m.msgId ?? "");
      await m.ack();
    },
  });
  const deadline = Date.now() + 20_000;
  while (seen.size < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300)); // room for any message beyond the expected ones
  await handle.stop();
  const nc = await connect({ servers: url });
  const info = await (await jetstreamManager(nc)).streams.info(bus.layout.eventsStream);
  await nc.close();
  return { msgIds: [...seen.entries()].sort(([a], [b]) => a - b).map(([, id]) => id), stored: info.state.messages };
}

const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => logonEvent(from + k).id);

describe("sensor outage against a real nats-server", () => {
  it("spools through a SIGKILL of NATS and drains in order once it is back: every event exactly once", async () => {
    const N = 2000;
    const { server, spoolDir } = await ownServer();
    const bus = await connectBus(server.url);
    cleanups.push(() => bus.close());
    const publisher = await openPublisher(bus, spoolDir);

    const startedAt = Date.now();
    const before = await publishRange(publisher, 1, 700, 0);
    const killedAt = Date.now();
    await server.kill();
    const during = await publishRange(publisher, 701, 1400, 100);
    const spooledWhileDown = publisher.stats().spooled;
    await server.restart();
    const restartedAt = Date.now();
    const after = await publishRange(publisher, 1401, N, 20);
    await publisher.drained();
    const drainedAt = Date.now();

    const stats = publisher.stats();
    const { msgIds, stored } = await readStream(bus, server.url, N);
    console.log(
      `outage: ${N} events; 700 published directly in ${killedAt - startedAt} ms; NATS down ${restartedAt - killedAt} ms; back to direct publishing ${drainedAt - restartedAt} ms after restart; ` +
        `outcomes before ${JSON.stringify(before)}, during ${JSON.stringify(during)}, after ${JSON.stringify(after)}; ` +
        `spooled while down ${spooledWhileDown}; stats ${JSON.stringify(stats)}; stream holds ${stored}`,
    );
    expect(before).toEqual({ published: 700 });
    expect(during).toEqual({ spooled: 700 });
    expect(stats).toMatchObject({ dropped: 0, failed: 0, spooling: false, spoolBytes: 0 });
    expect(stats.published + stats.drained).toBe(N);
    expect(stored).toBe(N);
    expect(new Set(msgIds).size).toBe(N);
    expect(msgIds).toEqual(ids(1, N));
  });

  it("a sensor restarted while NATS is still down resumes the spool left by the previous run", async () => {
    const { server, spoolDir } = await ownServer();
    const firstBus = await connectBus(server.url);
    const first = await openPublisher(firstBus, spoolDir);
    expect(await publishRange(first, 1, 100, 0)).toEqual({ published: 100 });
    await server.kill();
    expect(await publishRange(first, 101, 300, 0)).toEqual({ spooled: 200 });
    await first.close();
    await firstBus.close();
    expect(first.stats()).toMatchObject({ spooling: true, spoolBytes: expect.any(Number) });
    expect(first.stats().spoolBytes).toBeGreaterThan(0);

    // The new process cannot reach NATS at start; it must still start, spool, and drain later.
    const bus = connectInBackground({ connect: () => connectBus(server.url), retryMs: 200 });
    cleanups.push(() => bus.close());
    const second = await openPublisher(bus, spoolDir);
    expect(await publishRange(second, 301, 400, 0)).toEqual({ spooled: 100 });
    await server.restart();
    await second.drained();
    expect(second.stats()).toMatchObject({ drained: 300, dropped: 0, failed: 0 });

    const reader = await connectBus(server.url);
    cleanups.push(() => reader.close());
    const { msgIds, stored } = await readStream(reader, server.url, 400);
    expect(stored).toBe(400);
    expect(msgIds).toEqual(ids(1, 400));
  });
});
