import type { Clock } from "./clock.ts";
import { createMemoryPartitionStore } from "./memory-partition-store.ts";
import { partitionStoreContract } from "./partition-store.contract.ts";

partitionStoreContract("memory", {
  leaseTtlMs: 3000,
  async create(leaseTtlMs) {
    let now = 0;
    const clock: Clock = { now: () => now, setTimer: () => undefined, clearTimer: () => {} };
    // Two instances in one process share one store object, as two processors share the KV buckets.
    const store = createMemoryPartitionStore({ leaseTtlMs, clock });
    return {
      stores: [store, store],
      advance: async (ms) => void (now += ms),
      dispose: () => store.close(),
    };
  },
});
