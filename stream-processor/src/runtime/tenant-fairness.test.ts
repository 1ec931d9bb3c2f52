import { describe, expect, it } from "vitest";
import { TenantFairness, type TenantBudget } from "./tenant-fairness.ts";

function setup(budgets: Record<string, TenantBudget>, maxDeliver = 10, headroom = 1) {
  let t = 1_000_000;
  let seq = 0;
  const gate = new TenantFairness(
    (id) => budgets[id] ?? { ratePerSecond: 1000, burst: 1000 },
    maxDeliver,
    { headroom },
    () => t,
  );
  return {
    gate,
    advance: (ms: number) => void (t += ms),
    offer: (tenantId: string, deliveryCount = 1, s = ++seq) => ({ seq: s, decision: gate.admit({ tenantId, seq: s, deliveryCount }) }),
  };
}

describe("TenantFairness", () => {
  it("never defers a tenant alone on the processor, however far over budget", () => {
    const f = setup({ noisy: { ratePerSecond: 10, burst: 5 } });
    const deferred = Array.from({ length: 500 }, () => f.offer("noisy").decision).filter(Boolean);
    expect(deferred).toEqual([]);
  });

  it("defers an over-budget tenant while another tenant within budget is active, and spaces its events at the budget", () => {
    const f = setup({ noisy: { ratePerSecond: 10, burst: 5 } });
    f.offer("quiet");
    const decisions = Array.from({ length: 20 }, () => f.offer("noisy").decision);
    // The burst (and one) passes, the rest gets slots 100 ms apart.
    expect(decisions.filter((d) => d === undefined).length).toBe(6);
    const delays = decisions.filter((d) => d !== undefined).map((d) => d.delayMs);
    expect(delays.slice(0, 3)).toEqual([100, 200, 300]);
    expect(decisions[10]!.reason).toContain("tenant noisy over its budget while other tenants wait");
    // The quiet tenant is never deferred.
    expect(f.offer("quiet").decision).toBeUndefined();
  });

  it("admits a deferred message when it comes back at its slot (its slot was reserved)", () => {
    const f = setup({ noisy: { ratePerSecond: 10, burst: 1 } });
    f.offer("quiet");
    f.offer("noisy");
    f.offer("noisy");
    const late = f.offer("noisy");
    expect(late.decision?.delayMs).toBe(100);
    f.advance(100);
    expect(f.offer("noisy", 2, late.seq).decision).toBeUndefined();
  });

  it("keeps half the deliveries for real retries: a message delivered that often is processed, never deferred to death", () => {
    const f = setup({ noisy: { ratePerSecond: 1, burst: 1 } }, 6);
    f.offer("quiet");
    for (let i = 0; i < 5; i++) f.offer("noisy");
    // maxDeliver 6 keeps 3: deliveries 1-3 may be deferred, the 4th is processed.
    expect(f.offer("noisy", 3).decision).toBeDefined();
    expect(f.offer("noisy", 4).decision).toBeUndefined();
  });

  it("caps one deferral at maxDeferMs without reserving a far slot", () => {
    const t = 0;
    const gate = new TenantFairness(
      () => ({ ratePerSecond: 1, burst: 1 }),
      50,
      { headroom: 1, maxDeferMs: 2000 },
      () => t,
    );
    gate.admit({ tenantId: "quiet-neighbour", seq: 1, deliveryCount: 1 });
    const delays = Array.from({ length: 10 }, (_, i) => gate.admit({ tenantId: "noisy", seq: 10 + i, deliveryCount: 1 })?.delayMs);
    expect(delays.filter((d) => d === 2000).length).toBeGreaterThan(0);
    expect(Math.max(...delays.filter((d): d is number => d !== undefined))).toBe(2000);
  });

  it("stops deferring once the other tenants have gone quiet", () => {
    const f = setup({ noisy: { ratePerSecond: 10, burst: 1 } });
    f.offer("quiet");
    f.offer("noisy");
    f.offer("noisy");
    expect(f.offer("noisy").decision).toBeDefined();
    f.advance(2500);
    expect(Array.from({ length: 50 }, () => f.offer("noisy").decision).filter(Boolean)).toEqual([]);
  });

  it("meters first deliveries per tenant over the window, never redeliveries", () => {
    const f = setup({});
    for (let i = 0; i < 120; i++) f.offer("a");
    for (let i = 0; i < 60; i++) f.offer("b", 2);
    f.advance(1000);
    const readings = Object.fromEntries(f.gate.readings().map((r) => [r.tenantId, r.ratePerSecond]));
    expect(readings.a).toBe(2); // 120 events over the 60 s window
    expect(readings.b ?? 0).toBe(0);
    f.advance(61_000);
    expect(f.gate.readings().find((r) => r.tenantId === "a")).toBeUndefined();
  });
});
