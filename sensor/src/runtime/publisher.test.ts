import { cp, readdir, rm, stat, truncate } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BusError, createMemoryBus, type BusMessage } from "../bus/index.ts";
import { SENSOR_HEADER, SIGNATURE_HEADER, sensorKeyHash, verifyEventSignature, type VigilEvent } from "../contract/index.ts";
import { isSensorError } from "./errors.ts";
import { eventually, logonEvent, SENSOR, SENSOR_KEY, TENANT, tempDir } from "./events.fixture.ts";
import { OutageBus } from "./outage-bus.fixture.ts";
import { createPublisher, type Publisher, type PublisherOptions } from "./publisher.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(overrides: Partial<PublisherOptions> = {}) {
  const t = await tempDir("publisher");
  cleanups.push(t.remove);
  const bus = new OutageBus();
  const logs: string[] = [];
  const open = async (more: Partial<PublisherOptions> = {}): Promise<Publisher> => {
    const p = await createPublisher({
      bus,
      tenantId: TENANT,
      sensorId: SENSOR,
      sensorKey: SENSOR_KEY,
      spoolDir: join(t.dir, "spool"),
      retry: { minMs: 10, maxMs: 40 },
      onLog: (line) => logs.push(line),
      ...overrides,
      ...more,
    });
    cleanups.push(() => p.close());
    return p;
  };
  return { bus, logs, open, dir: t.dir, spoolDir: join(t.dir, "spool") };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
const ids = (ns: number[]) => ns.map((n) => logonEvent(n).id);
/** msgIds the bus stored, in stream order (its duplicates dropped by dedupe). */
const stored = (bus: OutageBus) => bus.accepted.filter((a) => !a.duplicate).map((a) => a.msgId);

describe("publisher", () => {
  it("publishes to the tenant's subject with the event id as msgId and a verifiable signature", async () => {
    const { bus, open } = await setup();
    const publisher = await open();
    const event = logonEvent(1);
    expect(await publisher.publish(event)).toBe("published");
    const got: BusMessage[] = [];
    const handle = await bus.consume({
      durable: "check",
      filterSubject: "vigil.events.>",
      maxDeliver: 1,
      ackWaitMs: 1000,
      maxInFlight: 1,
      handler: async (m) => {
        got.push(m);
        await m.ack();
      },
    });
    await eventually(() => got.length === 1, "delivery");
    await handle.stop();
    const msg = got[0]!;
    expect(msg.subject).toBe(`vigil.events.${TENANT}.logon`);
    expect(msg.msgId).toBe(event.id);
    expect(msg.headers[SENSOR_HEADER]).toBe(SENSOR);
    const keyHash = sensorKeyHash(SENSOR_KEY);
    expect(verifyEventSignature(keyHash, msg.subject, event.id, msg.data, msg.headers[SIGNATURE_HEADER]!)).toBe(true);
    expect(verifyEventSignature(keyHash, `vigil.events.other.logon`, event.id, msg.data, msg.headers[SIGNATURE_HEADER]!)).toBe(false);
    expect(
      verifyEventSignature(sensorKeyHash("another-key-0123456789"), msg.subject, event.id, msg.data, msg.headers[SIGNATURE_HEADER]!),
    ).toBe(false);
    expect(msg.json<VigilEvent>()).toEqual(event);
  });

  it("spools during an outage, never publishes around the spool, and drains in order", async () => {
    const { bus, logs, open } = await setup();
    const publisher = await open();
    for (const n of range(1, 10)) expect(await publisher.publish(logonEvent(n))).toBe("published");
    bus.down = true;
    const during = await Promise.all(range(11, 30).map((n) => publisher.publish(logonEvent(n))));
    expect(new Set(during)).toEqual(new Set(["spooled"]));
    expect(publisher.stats()).toMatchObject({
      published: 10,
      spooled: 20,
      spooling: true,
      lastError: expect.stringMatching(/unreachable/),
    });
    await eventually(() => bus.attempts > 13, "a few drain attempts while down");
    bus.down = false;
    // Published while the spool may still hold events: they queue behind it.
    const after = await Promise.all(range(31, 40).map((n) => publisher.publish(logonEvent(n))));
    expect(after.every((o) => o === "spooled" || o === "published")).toBe(true);
    await publisher.drained();
    expect(stored(bus)).toEqual(ids(range(1, 40)));
    expect(bus.inner.stats().events).toBe(40);
    expect(publisher.stats()).toMatchObject({ dropped: 0, failed: 0, spoolBytes: 0, spooling: false });
    const s = publisher.stats();
    expect(s.published + s.drained).toBe(40);
    expect(logs.join("\n")).toMatch(/spooling events to .*[\s\S]*bus answers again[\s\S]*spool drained/);
    expect(await publisher.publish(logonEvent(41))).toBe("published");
  });

  it("resumes draining after a sensor restart, and a replay after a lost checkpoint only makes duplicates", async () => {
    const { bus, open, dir, spoolDir } = await setup();
    bus.down = true;
    const first = await open();
    for (const n of range(1, 50)) await first.publish(logonEvent(n));
    await first.close();
    expect(first.stats()).toMatchObject({ spooled: 50, spoolBytes: expect.any(Number) });
    // Keep the spool as it was: restoring it later is a crash that lost every checkpoint since.
    await cp(spoolDir, join(dir, "snapshot"), { recursive: true });

    bus.down = false;
    const second = await open();
    expect(second.stats().spooling).toBe(true);
    expect(await second.publish(logonEvent(51))).toBe("spooled"); // behind the 50 from before
    await second.drained();
    await second.close();
    expect(stored(bus)).toEqual(ids(range(1, 51)));

    // Replace the spool whole: copied over it, a checkpoint the second run wrote (when the first run
    // left none) would survive and say everything was drained.
    await rm(spoolDir, { recursive: true, force: true });
    await cp(join(dir, "snapshot"), spoolDir, { recursive: true });
    const third = await open();
    await third.drained();
    expect(third.stats()).toMatchObject({ drained: 50, duplicates: 50 });
    expect(bus.inner.stats().events).toBe(51);
  });

  it("reports and skips a torn spool tail after a crash and drains the rest", async () => {
    const { bus, logs, open, spoolDir } = await setup();
    bus.down = true;
    const first = await open();
    for (const n of range(1, 10)) await first.publish(logonEvent(n));
    await first.close();
    const [segment] = (await readdir(spoolDir)).filter((f) => f.endsWith(".spool"));
    const file = join(spoolDir, segment!);
    await truncate(file, (await stat(file)).size - 10);

    bus.down = false;
    const second = await open();
    await second.drained();
    expect(stored(bus)).toEqual(ids(range(1, 9)));
    expect(second.stats()).toMatchObject({ drained: 9, damaged: 1, lastError: expect.stringMatching(/spool damage skipped/) });
    expect(logs.some((l) => l.includes(file) && /cut short/.test(l))).toBe(true);
  });

  it("drops events beyond the spool bound, counting them and saying so", async () => {
    const { bus, logs, open } = await setup();
    const one = Buffer.byteLength(JSON.stringify(logonEvent(1))) + 8;
    const publisher = await open({ maxSpoolBytes: one * 5 + 10 });
    bus.down = true;
    const outcomes = await Promise.all(range(1, 8).map((n) => publisher.publish(logonEvent(n))));
    expect(outcomes).toEqual([...Array(5).fill("spooled"), ...Array(3).fill("dropped")]);
    expect(publisher.stats()).toMatchObject({ spooled: 5, dropped: 3, lastError: expect.stringMatching(/spool full/) });
    expect(logs.filter((l) => l.includes("spool full"))).toHaveLength(1);
    bus.down = false;
    await publisher.drained();
    expect(stored(bus)).toEqual(ids(range(1, 5)));
  });

  it("rejects events of another tenant or sensor, and bad identities at creation", async () => {
    const { open } = await setup();
    const publisher = await open();
    const foreign = publisher.publish(logonEvent(1, { tenantId: "globex" }));
    await expect(foreign).rejects.toSatisfy((e: unknown) => isSensorError(e, "SENSOR_IDENTITY_MISMATCH"));
    await expect(foreign).rejects.toThrow(/tenant globex .* signs for acme/);
    await expect(publisher.publish(logonEvent(1, { sensorId: "dc02" }))).rejects.toThrow(/sensor dc02/);
    await expect(open({ tenantId: "bad.tenant" })).rejects.toSatisfy((e: unknown) => isSensorError(e, "SENSOR_INVALID_OPTIONS"));
    await publisher.close();
    await expect(publisher.publish(logonEvent(2))).rejects.toSatisfy((e: unknown) => isSensorError(e, "SENSOR_CLOSED"));
  });

  it("does not replay spooled events of another tenant when the spool directory is reused", async () => {
    const { bus, open } = await setup();
    bus.down = true;
    const acme = await open();
    await acme.publish(logonEvent(1));
    await acme.close();
    bus.down = false;
    const globex = await open({ tenantId: "globex" });
    await globex.drained();
    expect(globex.stats()).toMatchObject({ drained: 0, failed: 1, lastError: expect.stringMatching(/belongs to tenant acme/) });
    expect(bus.accepted).toEqual([]);
  });

  it("counts an event the bus refuses for good as failed instead of spooling it", async () => {
    const t = await tempDir("publisher");
    cleanups.push(t.remove);
    const inner = createMemoryBus();
    const publisher = await createPublisher({
      bus: {
        publish: async (...args) => {
          if (args[2]?.msgId === logonEvent(2).id) throw new BusError("BUS_INVALID_SUBJECT", "refused");
          return inner.publish(...args);
        },
      },
      tenantId: TENANT,
      sensorId: SENSOR,
      sensorKey: SENSOR_KEY,
      spoolDir: t.dir,
    });
    cleanups.push(() => publisher.close());
    expect(await Promise.all([1, 2, 3].map((n) => publisher.publish(logonEvent(n))))).toEqual(["published", "failed", "published"]);
    expect(publisher.stats()).toMatchObject({ published: 2, failed: 1, spooled: 0, spooling: false });
  });

  it("lets drained() be aborted and rejects waiters when closed", async () => {
    const { bus, open } = await setup();
    bus.down = true;
    const publisher = await open();
    await publisher.publish(logonEvent(1));
    const abort = new AbortController();
    const waiting = publisher.drained(abort.signal);
    abort.abort(new Error("stop waiting"));
    await expect(waiting).rejects.toThrow("stop waiting");
    const pending = publisher.drained();
    await publisher.close();
    await expect(pending).rejects.toSatisfy((e: unknown) => isSensorError(e, "SENSOR_CLOSED"));
  });
});
