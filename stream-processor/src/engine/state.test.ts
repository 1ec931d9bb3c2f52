import { describe, expect, it } from "vitest";
import { DetectionState, type WindowEntry } from "./state.ts";

const W = { windowMs: 600, latenessMs: 100, maxEntries: 5 };
const at = (s: DetectionState, t: number) => (s.advance(t), s);
const push = (s: DetectionState, t: number, part = "k") =>
  at(s, t)
    .pushWindow<WindowEntry>("w:", part, { t, id: `e${t}` }, W)
    .map((e) => e.t);

describe("DetectionState", () => {
  it("expires keys on event time, never on arrival", () => {
    const s = at(new DetectionState(10), 1_000);
    s.set("t:", "a", 1, 500);
    expect(at(s, 1_500).get("t:", "a")).toBe(1);
    expect(at(s, 1_501).get("t:", "a")).toBeUndefined();
    // Going back in time (a late event) does not revive what already expired.
    expect(at(s, 1_200).get("t:", "a")).toBeUndefined();
  });

  it("evicts the least recently used key beyond maxKeys", () => {
    const s = at(new DetectionState(2), 0);
    s.set("t:", "a", 1, 1e9);
    s.set("t:", "b", 2, 1e9);
    s.get("t:", "a");
    s.set("t:", "c", 3, 1e9);
    expect([s.get("t:", "a"), s.get("t:", "b"), s.get("t:", "c"), s.size]).toEqual([1, undefined, 3, 2]);
  });

  it("keeps sliding windows trimmed to the window, the lateness and maxEntries", () => {
    const s = new DetectionState(10);
    expect(push(s, 0)).toEqual([0]);
    expect(push(s, 300)).toEqual([0, 300]);
    expect(push(s, 650)).toEqual([300, 650]);
    expect(push(s, 1_000)).toEqual([650, 1_000]);
    for (const t of [1_001, 1_002, 1_003, 1_004]) push(s, t);
    expect(s.get<WindowEntry[]>("w:", "k")!.map((e) => e.t)).toEqual([1_000, 1_001, 1_002, 1_003, 1_004]);
  });

  it("lets a late entry complete the window that had moved past it", () => {
    const s = new DetectionState(10);
    for (const t of [500, 550, 600]) push(s, t);
    expect(push(s, 100)).toEqual([100, 500, 550, 600]);
    // Older than newest - window - lateness: counted with its neighbours but not kept.
    expect(push(s, -200)).toEqual([-200, 100]);
    expect(s.get<WindowEntry[]>("w:", "k")!.map((e) => e.t)).toEqual([100, 500, 550, 600]);
  });

  it("answers first-seen once per key until it expires", () => {
    const s = at(new DetectionState(10), 0);
    expect(s.firstSeen("t:", "x", 100)).toBe(true);
    expect(at(s, 50).firstSeen("t:", "x", 100)).toBe(false);
    expect(at(s, 500).firstSeen("t:", "x", 100)).toBe(true);
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
    at(a, 0).set("t:", "x", { n: [1, 2] }, 1_000);
    at(a, 10).set("t:", "y", "v", 5);
    at(a, 20).set("t:", "z", true, 1_000);
    a.get("t:", "x");
    const b = DetectionState.restore(JSON.parse(JSON.stringify(a.snapshot())), 3);
    for (const s of [a, b]) at(s, 30).set("t:", "w", 1, 1_000);
    expect(b.snapshot()).toEqual(a.snapshot());
    expect([b.get("t:", "x"), b.get("t:", "y"), b.get("t:", "z"), b.since]).toEqual([{ n: [1, 2] }, undefined, true, 0]);
    expect(DetectionState.restore(new DetectionState(3).snapshot(), 3).snapshot()).toEqual({ since: null, watermark: null, entries: [] });
  });

  it("answers from the live map whatever was asked just before (the last-key and last-miss caches)", () => {
    const s = at(new DetectionState(2), 0);
    const fresh = (k: string) => ["", k].join(""); // a new string object each time, as events bring them
    expect(s.get("t:", fresh("a"))).toBeUndefined();
    s.set("t:", fresh("a"), 1, 100);
    expect(s.get("t:", fresh("a"))).toBe(1);
    expect(s.get("u:", "a")).toBeUndefined(); // same part, other prefix
    s.delete("t:", fresh("a"));
    expect(s.get("t:", fresh("a"))).toBeUndefined();
    s.set("t:", "b", 2, 100);
    s.set("t:", "c", 3, 100);
    expect(s.get("t:", "c")).toBe(3);
    s.set("u:", "c", 4, 100); // evicts t:b, the least recently used
    expect([s.get("t:", "b"), s.get("t:", "c"), s.get("u:", "c")]).toEqual([undefined, 3, 4]);
    expect(at(s, 101).get("u:", "c")).toBeUndefined();
    expect(s.get("u:", "c")).toBeUndefined();
    s.set("t:", "", 5, 100);
    expect([s.get("t:", ""), s.get("t:", fresh(""))]).toEqual([5, 5]);
  });

  it("snapshots keys flat (prefix + part) and splits them back at the first colon", () => {
    const s = at(new DetectionState(10), 0);
    s.set("ok:", "host:10.0.0.5:bob", 1, 100);
    s.set("samples", "", 2, 100);
    expect(s.snapshot().entries.map(([k]) => k)).toEqual(["ok:host:10.0.0.5:bob", "samples"]);
    // A snapshot written before keys had two parts holds the same flat keys.
    const restored = DetectionState.restore(
      {
        since: 0,
        watermark: 0,
        entries: [
          ["ok:host:10.0.0.5:bob", 100, 1],
          ["samples", 100, 2],
        ],
      },
      10,
    );
    expect([restored.get("ok:", "host:10.0.0.5:bob"), restored.get("samples", "")]).toEqual([1, 2]);
  });

  it("holds a prefix while a key under it is kept (expired keys until they are swept or read)", () => {
    const s = at(new DetectionState(10), 0);
    expect(s.holds("a:")).toBe(false);
    s.set("a:", "x", 1, 100);
    s.set("b:", "x", 1, 1_000);
    expect([s.holds("a:"), s.holds("b:"), s.holds("ab:")]).toEqual([true, true, false]);
    at(s, 101);
    expect(s.holds("a:")).toBe(true); // expired, not yet swept: a get would still have to look
    expect(s.get("a:", "x")).toBeUndefined();
    expect(s.holds("a:")).toBe(false);
    s.set("a:", "y", 2, 100);
    s.delete("a:", "y");
    expect([s.holds("a:"), s.holds("b:")]).toEqual([false, true]);
  });

  it("refuses a prefix that would not split back the same way", () => {
    const s = at(new DetectionState(10), 0);
    expect(() => s.set("a:b:", "c", 1, 100)).toThrow(/must end in its only ":"/);
    expect(() => s.set("ab", "c", 1, 100)).toThrow(/must end in its only ":"/);
    expect(() => s.pushWindow("a", "b", { t: 0, id: "e" }, W)).toThrow(/must end in its only ":"/);
  });

  it("appends to a window exactly as pushWindow stores it", () => {
    const a = new DetectionState(10);
    const b = new DetectionState(10);
    for (const t of [500, 550, 100, 600, 601, 602, 603, -200, 1_400]) {
      at(a, t).pushWindow<WindowEntry>("w:", "k", { t, id: `e${t}` }, W);
      at(b, t).appendWindow<WindowEntry>("w:", "k", { t, id: `e${t}` }, W);
      expect(b.snapshot()).toEqual(a.snapshot());
    }
  });

  it("never grows past maxKeys", () => {
    const s = new DetectionState(100);
    for (let i = 0; i < 10_000; i++) push(s, i, `k${i}`);
    expect(s.size).toBe(100);
  });
});
