import { describe, expect, it } from "vitest";
import { DetectionState, prefixedKey, type WindowEntry } from "./state.ts";

const W = { windowMs: 600, latenessMs: 100, maxEntries: 5 };
const at = (s: DetectionState, t: number) => (s.advance(t), s);
const push = (s: DetectionState, t: number, key = "k") =>
  at(s, t)
    .pushWindow<WindowEntry>(key, { t, id: `e${t}` }, W)
    .map((e) => e.t);

describe("DetectionState", () => {
  it("expires keys on event time, never on arrival", () => {
    const s = at(new DetectionState(10), 1_000);
    s.set("a", 1, 500);
    expect(at(s, 1_500).get("a")).toBe(1);
    expect(at(s, 1_501).get("a")).toBeUndefined();
    // Going back in time (a late event) does not revive what already expired.
    expect(at(s, 1_200).get("a")).toBeUndefined();
  });

  it("evicts the least recently used key beyond maxKeys", () => {
    const s = at(new DetectionState(2), 0);
    s.set("a", 1, 1e9);
    s.set("b", 2, 1e9);
    s.get("a");
    s.set("c", 3, 1e9);
    expect([s.get("a"), s.get("b"), s.get("c"), s.size]).toEqual([1, undefined, 3, 2]);
  });

  it("keeps sliding windows trimmed to the window, the lateness and maxEntries", () => {
    const s = new DetectionState(10);
    expect(push(s, 0)).toEqual([0]);
    expect(push(s, 300)).toEqual([0, 300]);
    expect(push(s, 650)).toEqual([300, 650]);
    expect(push(s, 1_000)).toEqual([650, 1_000]);
    for (const t of [1_001, 1_002, 1_003, 1_004]) push(s, t);
    expect(s.get<WindowEntry[]>("k")!.map((e) => e.t)).toEqual([1_000, 1_001, 1_002, 1_003, 1_004]);
  });

  it("lets a late entry complete the window that had moved past it", () => {
    const s = new DetectionState(10);
    for (const t of [500, 550, 600]) push(s, t);
    expect(push(s, 100)).toEqual([100, 500, 550, 600]);
    // Older than newest - window - lateness: counted with its neighbours but not kept.
    expect(push(s, -200)).toEqual([-200, 100]);
    expect(s.get<WindowEntry[]>("k")!.map((e) => e.t)).toEqual([100, 500, 550, 600]);
  });

  it("answers first-seen once per key until it expires", () => {
    const s = at(new DetectionState(10), 0);
    expect(s.firstSeen("x", 100)).toBe(true);
    expect(at(s, 50).firstSeen("x", 100)).toBe(false);
    expect(at(s, 500).firstSeen("x", 100)).toBe(true);
  });

  it("tracks the baseline start as the earliest event time", () => {
    const s = new DetectionState(10);
    at(s, 1_000);
    at(s, 400);
    at(s, 2_000);
    expect([s.since, s.watermark, s.now]).toEqual([400, 2_000, 2_000]);
  });

  it("restores from JSON with the same order, expiry and contents", () => {
    const a = new DetectionState(3);
    at(a, 0).set("x", { n: [1, 2] }, 1_000);
    at(a, 10).set("y", "v", 5);
    at(a, 20).set("z", true, 1_000);
    a.get("x");
    const b = DetectionState.restore(JSON.parse(JSON.stringify(a.snapshot())), 3);
    for (const s of [a, b]) at(s, 30).set("w", 1, 1_000);
    expect(b.snapshot()).toEqual(a.snapshot());
    expect([b.get("x"), b.get("y"), b.get("z"), b.since]).toEqual([{ n: [1, 2] }, undefined, true, 0]);
    expect(DetectionState.restore(new DetectionState(3).snapshot(), 3).snapshot()).toEqual({ since: null, watermark: null, entries: [] });
  });

  it("answers from the live map whatever was asked just before (the last-key and last-miss caches)", () => {
    const s = at(new DetectionState(2), 0);
    const fresh = (k: string) => ["", k].join(""); // a new string object each time, as detections build keys
    expect(s.get(fresh("a"))).toBeUndefined();
    s.set(fresh("a"), 1, 100);
    expect(s.get(fresh("a"))).toBe(1);
    s.delete(fresh("a"));
    expect(s.get(fresh("a"))).toBeUndefined();
    s.set("b", 2, 100);
    s.set("c", 3, 100);
    expect(s.get("c")).toBe(3);
    s.set("d", 4, 100); // evicts b, the least recently used
    expect([s.get("b"), s.get("c"), s.get("d")]).toEqual([undefined, 3, 4]);
    expect(at(s, 101).get("d")).toBeUndefined();
    expect(s.get("d")).toBeUndefined();
    s.set("", 5, 100);
    expect([s.get(""), s.get(fresh(""))]).toEqual([5, 5]);
  });

  it("appends to a window exactly as pushWindow stores it", () => {
    const a = new DetectionState(10);
    const b = new DetectionState(10);
    for (const t of [500, 550, 100, 600, 601, 602, 603, -200, 1_400]) {
      at(a, t).pushWindow<WindowEntry>("k", { t, id: `e${t}` }, W);
      at(b, t).appendWindow<WindowEntry>("k", { t, id: `e${t}` }, W);
      expect(b.snapshot()).toEqual(a.snapshot());
    }
  });

  it("builds prefixed keys, reusing the string while the part repeats", () => {
    const key = prefixedKey("dc:");
    const first = key("dc01");
    expect([first, key("dc01") === first, key("dc02"), key("dc01")]).toEqual(["dc:dc01", true, "dc:dc02", "dc:dc01"]);
  });

  it("never grows past maxKeys", () => {
    const s = new DetectionState(100);
    for (let i = 0; i < 10_000; i++) push(s, i, `k${i}`);
    expect(s.size).toBe(100);
  });
});
