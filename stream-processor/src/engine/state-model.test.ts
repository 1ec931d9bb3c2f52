import { describe, expect, it } from "vitest";
import { DetectionState, type Json, type StateSnapshot } from "./state.ts";

// The plain reading of DetectionState's contract (delete + re-insert on every touch, a sweep that
// walks the map from its start), to check that the faster bookkeeping keeps the same LRU order,
// expiry and sweeping under random operations.
class Model {
  slots = new Map<string, { expires: number; value: Json }>();
  now = 0;
  watermark = Number.NEGATIVE_INFINITY;
  constructor(readonly maxKeys: number) {}
  advance(time: number): void {
    this.now = time;
    if (time > this.watermark) this.watermark = time;
  }
  get(key: string): Json | undefined {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    this.slots.delete(key);
    if (slot.expires < this.watermark) return undefined;
    this.slots.set(key, slot);
    return slot.value;
  }
  set(key: string, value: Json, ttl: number): void {
    this.slots.delete(key);
    this.slots.set(key, { expires: this.now + ttl, value });
    this.sweep();
  }
  sweep(): void {
    while (this.slots.size > this.maxKeys) this.slots.delete(this.slots.keys().next().value!);
    let budget = 8;
    for (const [key, slot] of this.slots) {
      if (budget-- <= 0 || slot.expires >= this.watermark) break;
      this.slots.delete(key);
    }
  }
  entries(): [string, number, Json][] {
    return [...this.slots].map(([k, s]) => [k, s.expires, s.value]);
  }
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

const PREFIXES = ["a:", "b:", "ab:"];

describe("DetectionState against its plain model", () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`matches under random gets, sets, deletes, late events and restores (seed ${seed})`, () => {
      const r = rng(seed);
      const maxKeys = 5 + Math.floor(r() * 40);
      let state = new DetectionState(maxKeys);
      const model = new Model(maxKeys);
      let t = 1_000;
      for (let i = 0; i < 20_000; i++) {
        t += Math.floor(r() * 50);
        const at = r() < 0.1 ? t - Math.floor(r() * 500) : t; // some late events
        state.advance(at);
        model.advance(at);
        // Keys in two parts under a few prefixes, and one-word keys (part ""); the model keys by the flat form.
        const n = Math.floor(r() * (r() < 0.5 ? 10 : 80));
        const [prefix, part] = n % 9 === 0 ? [`w${n}`, ""] : [PREFIXES[n % 3]!, `k${n}`];
        const key = prefix + part;
        const op = r();
        if (op < 0.4) expect(state.get(prefix, part)).toEqual(model.get(key));
        else if (op < 0.85) {
          const ttl = Math.floor(r() * 2_000);
          state.set(prefix, part, i, ttl);
          model.set(key, i, ttl);
        } else if (op < 0.95) {
          state.delete(prefix, part);
          model.slots.delete(key);
        } else if (op < 0.97) {
          const snap: StateSnapshot = state.snapshot();
          state = DetectionState.restore(JSON.parse(JSON.stringify(snap)) as StateSnapshot, maxKeys);
          state.advance(at);
        }
        expect(state.size).toBe(model.slots.size);
        for (const p of PREFIXES) expect(state.holds(p)).toBe([...model.slots.keys()].some((k) => k.startsWith(p)));
        if (i % 97 === 0) expect(state.snapshot().entries).toEqual(model.entries());
      }
      expect(state.snapshot().entries).toEqual(model.entries());
    });
  }
});
