import { describe, expect, it } from "vitest";
import { SeenEvents } from "./seen-events.ts";

describe("SeenEvents", () => {
  it("records an id once, keeps its first time and lists ids oldest first", () => {
    const s = new SeenEvents();
    expect(s.add("a", 10)).toBe(true);
    expect(s.add("b", 5)).toBe(true);
    expect(s.add("a", 99)).toBe(false);
    expect([s.has("a"), s.has("c"), s.size]).toEqual([true, false, 2]);
    expect([...s]).toEqual([
      ["a", 10],
      ["b", 5],
    ]);
  });

  it("evicts the oldest ids beyond the bound or older than the cutoff", () => {
    const s = new SeenEvents();
    for (let i = 0; i < 10; i++) s.add(`e${i}`, i * 100);
    s.evict(8, 0);
    expect([...s].map(([id]) => id)).toEqual(["e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9"]);
    s.evict(100, 450);
    expect([...s].map(([id]) => id)).toEqual(["e5", "e6", "e7", "e8", "e9"]);
    // An evicted id counts as new again.
    expect(s.add("e0", 1_000)).toBe(true);
  });

  it("finds ids whose hashes collide, and keeps finding the others after deletions shift them", () => {
    // Tiny ring and table, many ids: probe runs wrap and overlap, so eviction shifts entries back.
    const s = new SeenEvents();
    const ids = Array.from({ length: 5_000 }, (_, i) => `id-${(i * 7_919) % 10_007}`);
    ids.forEach((id, i) => {
      expect(s.add(id, i)).toBe(true);
      s.evict(12, 0);
      const held = ids.slice(Math.max(0, i - 11), i + 1);
      expect(held.every((h) => s.has(h))).toBe(true);
      expect(s.has(ids[i - 12] ?? "none")).toBe(false);
      expect(s.add(id, -1)).toBe(false);
    });
    expect(s.capacity).toBe(16);
  });

  it("tells apart ids whose 32-bit hashes are equal", () => {
    // `e43zx` and `ebpad` have the same FNV-1a hash: the ids themselves decide.
    const s = new SeenEvents();
    expect(s.add("e43zx", 1)).toBe(true);
    expect(s.has("ebpad")).toBe(false);
    expect(s.add("ebpad", 2)).toBe(true);
    expect([s.add("e43zx", 3), s.add("ebpad", 3)]).toEqual([false, false]);
    s.evict(1, 0);
    expect([s.has("e43zx"), s.has("ebpad")]).toEqual([false, true]);
  });

  it("forgets the newest id on undo, and nothing when empty", () => {
    const s = new SeenEvents();
    s.dropNewest();
    s.add("a", 1);
    s.add("b", 2);
    s.dropNewest();
    expect([...s]).toEqual([["a", 1]]);
    expect(s.add("b", 3)).toBe(true);
  });

  it("matches a plain insertion-ordered Map under random use, with bounded arrays", () => {
    const s = new SeenEvents();
    const model = new Map<string, number>();
    let seed = 11;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 50_000; i++) {
      const id = `e${rnd(3_000)}`;
      const fresh = !model.has(id);
      if (fresh) model.set(id, i);
      expect(s.add(id, i)).toBe(fresh);
      const max = 500 + rnd(100);
      const cutoff = i - 2_000;
      for (const [k, t] of model) {
        if (model.size <= max && t >= cutoff) break;
        model.delete(k);
      }
      s.evict(max, cutoff);
      expect(s.size).toBe(model.size);
    }
    expect([...s]).toEqual([...model]);
    // The ring never grows past twice the most ids held at once (at most 600 + 1 here).
    expect(s.capacity).toBeLessThanOrEqual(2_048);
  });
});
