import { describe, expect, it } from "vitest";
import { SiemConfigError } from "./errors.ts";
import { createSiemForwarder } from "./forwarder.ts";
import { validateTarget, type SiemTargetConfig } from "./transport.ts";

const ok: SiemTargetConfig = { host: "siem.example.com", port: 6514, protocol: "tls", format: "rfc5424" };

describe("syslog target validation", () => {
  it.each([
    ["an empty host", { host: "" }],
    ["a host with spaces", { host: "siem example" }],
    ["port 0", { port: 0 }],
    ["port 65536", { port: 65536 }],
    ["a fractional port", { port: 514.5 }],
    ["an unknown protocol", { protocol: "http" }],
    ["an unknown format", { format: "json" }],
  ])("rejects %s", (_, over) => {
    expect(() => validateTarget({ ...ok, ...over } as SiemTargetConfig)).toThrow(SiemConfigError);
  });

  it("accepts names, IPv4 and IPv6 addresses", () => {
    for (const host of ["siem.example.com", "10.0.0.5", "::1"]) expect(() => validateTarget({ ...ok, host })).not.toThrow();
  });

  it("keeps a message queued, logs why and retries when the stored target is unusable", async () => {
    const logs: string[] = [];
    let calls = 0;
    const f = createSiemForwarder({
      targets: async () => (++calls < 3 ? { ...ok, port: 0 } : undefined),
      retryBaseMs: 5,
      log: (l) => logs.push(l),
    });
    f.test("t1");
    await f.idle("t1");
    // Two attempts failed on the bad port; the third lookup found no target any more and discarded the line.
    expect(f.stats()).toMatchObject({ failures: 2, sent: 0, discarded: 1 });
    expect(logs[0]).toMatch(/t1 failed \(attempt 1, retry in 5 ms\): bad syslog port 0/);
    await f.close();
  });
});
