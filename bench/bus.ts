/**
 * Event-bus throughput through the port, on the real JetStream adapter (nats-server from
 * scripts/services.sh) and on the in-process adapter: publish with msgId dedupe, then a durable pull
 * consumer that acks each message (acks are confirmed by the server). Prints msgs/s per phase.
 *   node --import tsx bench/bus.ts [count]
 */
import { connectJetStreamBus, createMemoryBus, type EventBus, type JetStreamEventBus } from "@vigil/sensor/bus";
import { testServices, uniqueTenantId } from "../test-support/services.ts";

const count = Number(process.argv[2] ?? 20_000);
const WINDOW = 1_000;

async function measure(name: string, bus: EventBus): Promise<void> {
  const payload = JSON.stringify({ kind: "logon", pad: "x".repeat(400) });
  const t0 = performance.now();
  for (let i = 0; i < count; i += WINDOW) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + WINDOW); j++) batch.push(bus.publish(`vigil.events.bench.logon`, payload, { msgId: `m-${j}` }));
    await Promise.all(batch);
  }
  const publishS = (performance.now() - t0) / 1000;
  let seen = 0;
  const t1 = performance.now();
  await new Promise<void>((resolve) => {
    void bus.consume({
      durable: "bench",
      filterSubject: "vigil.events.>",
      maxDeliver: 3,
      ackWaitMs: 30_000,
      maxInFlight: 256,
      handler: async (m) => {
        m.ack();
        if (++seen === count) resolve();
      },
    });
  });
  const consumeS = (performance.now() - t1) / 1000;
  console.log(
    `${name.padEnd(10)} publish ${Math.round(count / publishS).toLocaleString("en")} msg/s   consume+ack ${Math.round(count / consumeS).toLocaleString("en")} msg/s   (${count} msgs)`,
  );
}

console.log(`bus benchmark, ${count} messages of ~450 bytes`);
const memory = createMemoryBus();
await measure("memory", memory);
await memory.close();
const js = (await connectJetStreamBus({ servers: testServices.natsUrl, namespace: uniqueTenantId("bench") })) as JetStreamEventBus;
try {
  await measure("jetstream", js);
} finally {
  await js.dropStreams();
  await js.close();
}
