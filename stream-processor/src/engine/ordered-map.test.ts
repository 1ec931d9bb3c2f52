import { describe, expect, it } from "vitest";
import { OrderedMap } from "./ordered-map.ts";

describe("OrderedMap", () => {
  it("keeps last-set order, re-setting moves a key to the end, deletes disappear", () => {
    const m = new OrderedMap<string, number>();
    m.set("a", 1);
    m.set("b", 2);
    m.set("c", 3);
    m.set("a", 4);
    m.delete("b");
    expect([...m]).toEqual([
      ["c", 3],
      ["a", 4],
    ]);
    expect(m.first()).toEqual({ key: "c", value: 3 });
    expect(m.size).toBe(2);
    expect(m.get("a")).toBe(4);
    expect(m.has("b")).toBe(false);
  });

  it("evicts from the front in constant amortized time and bounded memory", () => {
    const m = new OrderedMap<number, number>();
    const cap = 10_000;
    for (let i = 0; i < 1_000_000; i++) {
      m.set(i, i);
      if (i % 3 === 0) m.set(i - 1, i); // re-touch: leaves a dead slot behind
      while (m.size > cap) m.delete(m.first()!.key);
      m.maintain();
    }
    expect(m.size).toBe(cap);
    expect(m.first()!.key).toBeGreaterThan(1_000_000 - 2 * cap);
    // Dead slots are compacted away: the queue stays within a small multiple of the live size.
    expect((m as unknown as { queue: unknown[]; head: number }).queue.length).toBeLessThan(4 * cap + 2048);
  });
});
