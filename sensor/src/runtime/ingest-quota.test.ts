import { describe, expect, it } from "vitest";
import { ingestQuotaProblems, parseQuotaGrant, quotaGrant, quotaSubject } from "../contract/index.ts";
import { IngestThrottle } from "./ingest-quota.ts";

const clock = () => {
  let t = 0;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
};

describe("IngestThrottle", () => {
  it("is unlimited until a limit is set", () => {
    const throttle = new IngestThrottle(clock().now);
    for (let i = 0; i < 10_000; i++) expect(throttle.tryTake()).toBe(true);
    expect(throttle.waitMs()).toBe(0);
  });

  it("allows the burst at once, then the sustained rate", () => {
    const c = clock();
    const throttle = new IngestThrottle(c.now);
    throttle.setLimit({ ratePerSecond: 10, burst: 5 });
    const taken = Array.from({ length: 8 }, () => throttle.tryTake()).filter(Boolean).length;
    expect(taken).toBe(5);
    expect(throttle.waitMs()).toBe(100);
    c.advance(1000);
    expect(Array.from({ length: 20 }, () => throttle.tryTake()).filter(Boolean).length).toBe(5); // refill capped at the burst
    c.advance(300);
    expect(Array.from({ length: 20 }, () => throttle.tryTake()).filter(Boolean).length).toBe(3);
  });

  it("keeps saved tokens when the limit changes, never handing out a fresh burst", () => {
    const c = clock();
    const throttle = new IngestThrottle(c.now);
    throttle.setLimit({ ratePerSecond: 1, burst: 3 });
    for (let i = 0; i < 3; i++) throttle.tryTake();
    throttle.setLimit({ ratePerSecond: 1000, burst: 1000 });
    expect(throttle.tryTake()).toBe(false);
    c.advance(10);
    expect(Array.from({ length: 20 }, () => throttle.tryTake()).filter(Boolean).length).toBe(10);
    throttle.setLimit(undefined);
    expect(throttle.tryTake()).toBe(true);
  });

  it("take() waits for a token and gives up when aborted", async () => {
    const throttle = new IngestThrottle();
    throttle.setLimit({ ratePerSecond: 50, burst: 1 });
    expect(throttle.tryTake()).toBe(true);
    const started = performance.now();
    expect(await throttle.take(new AbortController().signal)).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    const stop = new AbortController();
    throttle.setLimit({ ratePerSecond: 0.001, burst: 1 });
    const waiting = throttle.take(stop.signal);
    stop.abort();
    expect(await waiting).toBe(false);
  });
});

describe("quota contract", () => {
  it("splits a tenant's quota evenly across its sensors, each keeping at least one event of burst", () => {
    const g = quotaGrant("acme", { ratePerSecond: 100, burst: 3 }, 4, new Date(0));
    expect(g).toMatchObject({ tenantId: "acme", sensors: 4, sensorRatePerSecond: 25, sensorBurst: 1 });
    expect(quotaGrant("acme", { ratePerSecond: 100, burst: 40 }, 0, new Date(0))).toMatchObject({ sensors: 1, sensorRatePerSecond: 100 });
  });

  it.each([
    [{ ratePerSecond: 0, burst: 10 }, "ratePerSecond must be a whole number from 1"],
    [{ ratePerSecond: -5, burst: 10 }, "ratePerSecond must be a whole number from 1"],
    [{ ratePerSecond: 1.5, burst: 10 }, "ratePerSecond must be a whole number from 1"],
    [{ ratePerSecond: 10, burst: 0 }, "burst must be a whole number from 1"],
    [{ ratePerSecond: 10, burst: 1e12 }, "burst must be a whole number from 1"],
    [{ ratePerSecond: "10", burst: 10 }, 'got "10"'],
    [{ ratePerSecond: Number.NaN, burst: 10 }, "got null"],
  ])("refuses the quota %j with a reason", (quota, reason) => {
    const problems = ingestQuotaProblems(quota);
    expect(problems.join("; ")).toContain(reason);
  });

  it("accepts a sane quota", () => {
    expect(ingestQuotaProblems({ ratePerSecond: 500, burst: 5000 })).toEqual([]);
  });

  it("reads a grant only on its own tenant's subject", () => {
    const grant = quotaGrant("acme", { ratePerSecond: 10, burst: 20 }, 2, new Date(0));
    expect(parseQuotaGrant(quotaSubject("acme"), JSON.stringify(grant))).toEqual({ grant });
    expect(parseQuotaGrant(quotaSubject("other"), JSON.stringify(grant))).toEqual({
      problem: "quota announcement for tenant acme arrived on vigil.quota.other; ignored",
    });
  });

  it.each([
    ["not json", "{", "not JSON"],
    [
      "a zero rate",
      JSON.stringify({ ...quotaGrant("acme", { ratePerSecond: 10, burst: 20 }, 1, new Date(0)), sensorRatePerSecond: 0 }),
      "sensorRatePerSecond",
    ],
    ["an unknown field", JSON.stringify({ ...quotaGrant("acme", { ratePerSecond: 10, burst: 20 }, 1, new Date(0)), extra: 1 }), "extra"],
    ["a missing tenant", JSON.stringify({ v: 1, ratePerSecond: 10 }), "tenantId"],
  ])("refuses an announcement with %s, saying why", (_what, data, reason) => {
    const read = parseQuotaGrant(quotaSubject("acme"), data);
    expect("problem" in read && read.problem).toContain(reason);
  });
});
