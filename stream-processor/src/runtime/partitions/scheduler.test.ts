import { describe, expect, it } from "vitest";
import { FairScheduler } from "./scheduler.ts";

const tick = () => new Promise((r) => setImmediate(r));

describe("FairScheduler", () => {
  it("serves waiting partitions round-robin, so a backlog does not starve a quiet partition", async () => {
    const s = new FairScheduler(1);
    const order: string[] = [];
    const job = (label: string) => async () => {
      order.push(label);
      await tick();
    };
    const all: Promise<void>[] = [];
    for (let i = 0; i < 5; i++) all.push(s.run(0, job(`busy${i}`)));
    all.push(s.run(1, job("quiet")));
    all.push(s.run(2, job("other")));
    await Promise.all(all);
    // busy0 started at once; then one turn each for 0, 1, 2 before partition 0 goes again.
    expect(order).toEqual(["busy0", "busy1", "quiet", "other", "busy2", "busy3", "busy4"]);
  });

  it("never runs more than maxConcurrent at once and frees slots on failure", async () => {
    const s = new FairScheduler(2);
    let running = 0;
    let peak = 0;
    const work = (fail: boolean) => async () => {
      peak = Math.max(peak, ++running);
      await tick();
      running--;
      if (fail) throw new Error("boom");
    };
    const results = await Promise.allSettled(Array.from({ length: 9 }, (_, i) => s.run(i % 3, work(i % 4 === 0))));
    expect(peak).toBe(2);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(3);
    expect(s.turns).toBe(9);
  });

  it("rejects a bound below one", () => {
    expect(() => new FairScheduler(0)).toThrow(/positive integer/);
  });
});
