/**
 * Partitioned subjects and the KV partition store on a real nats-server configured the way
 * scripts/services.sh configures it (scripts/nats/mappings.sh, 8 partitions here). The server is this
 * file's own, on private ports, so the shared server's configuration never decides the outcome.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { eventBusPartitionContract } from "./event-bus.contract-partitions.ts";
import { connectJetStreamBus, type JetStreamEventBus } from "./jetstream.ts";
import { openJetStreamPartitionStore } from "./jetstream-partition-store.ts";
import { partitionStoreContract } from "./partition-store.contract.ts";

const script = new URL("../../../scripts/services.sh", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "vigil-nats-part-"));
const env = { ...process.env, VIGIL_SERVICES_DIR: dir, VIGIL_NATS_PORT: "4274", VIGIL_NATS_MONITOR_PORT: "8274", VIGIL_PARTITIONS: "8" };
execFileSync("bash", [script, "up", "nats"], { env, stdio: ["ignore", "ignore", "inherit"] });
const url = "nats://127.0.0.1:4274";
afterAll(() => {
  execFileSync("bash", [script, "down", "nats"], { env, stdio: ["ignore", "ignore", "inherit"] });
  rmSync(dir, { recursive: true, force: true });
});

eventBusPartitionContract("jetstream", {
  count: 8,
  create: () => connectJetStreamBus({ servers: url, namespace: uniqueTenantId("ns") }),
  dispose: (bus) => (bus as JetStreamEventBus).dropStreams(),
});

partitionStoreContract("jetstream KV", {
  leaseTtlMs: 2000,
  async create(leaseTtlMs) {
    const namespace = uniqueTenantId("ns");
    const buses = await Promise.all([0, 1].map(() => connectJetStreamBus({ servers: url, namespace })));
    const stores = await Promise.all(buses.map((bus) => openJetStreamPartitionStore(bus, { leaseTtlMs, chunkBytes: 64 * 1024 })));
    return {
      stores: [stores[0]!, stores[1]!],
      advance: (ms) => new Promise((r) => setTimeout(r, ms)),
      dispose: async () => {
        await buses[0]!.dropStreams();
        await buses[0]!.dropPartitionBuckets();
        await Promise.all(buses.map((b) => b.close()));
      },
    };
  },
});

describe("partition mapping probe", () => {
  it("says there is no mapping on a server without one, quickly", async () => {
    // The shared test server may or may not be configured (CI: yes); a bare server on a private port is certain.
    const bareDir = mkdtempSync(join(tmpdir(), "vigil-nats-bare-"));
    const pid = join(bareDir, "pid");
    execFileSync("bash", [
      "-c",
      `setsid nohup nats-server -a 127.0.0.1 -p 4275 -js -sd ${bareDir}/js -P ${pid} >/dev/null 2>&1 </dev/null &`,
    ]);
    try {
      let bus: JetStreamEventBus | undefined;
      for (let i = 0; i < 40 && !bus; i++) {
        bus = await connectJetStreamBus({ servers: "nats://127.0.0.1:4275", namespace: uniqueTenantId("ns") }).catch(async () => {
          await new Promise((r) => setTimeout(r, 250));
          return undefined;
        });
      }
      const t0 = performance.now();
      expect(await bus!.partitionMapping()).toBeUndefined();
      expect(performance.now() - t0).toBeLessThan(2000);
      await bus!.dropStreams();
      await bus!.close();
    } finally {
      execFileSync("bash", ["-c", `kill $(cat ${pid}) 2>/dev/null || true`]);
      rmSync(bareDir, { recursive: true, force: true });
    }
  });

  it("reads the count on a configured server", async () => {
    const bus = await connectJetStreamBus({ servers: url });
    expect(await bus.partitionMapping()).toEqual({ count: 8 });
    await bus.close();
  });
});
