import { describe, expect, it } from "vitest";
import { sensorKeyHash, signEvent, verifyEventSignature } from "./sensor-auth.ts";

describe("sensor event signatures", () => {
  const keyHash = sensorKeyHash("vgl_example-key");
  const subject = "vigil.events.acme.logon";
  const sig = signEvent(keyHash, subject, "a".repeat(32), '{"x":1}');

  it("verifies what the same key signed", () => {
    expect(sensorKeyHash("vgl_example-key")).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyEventSignature(keyHash, subject, "a".repeat(32), '{"x":1}', sig)).toBe(true);
  });

  it.each([
    ["another key", sensorKeyHash("vgl_other"), subject, "a".repeat(32), '{"x":1}', sig],
    ["another tenant's subject", keyHash, "vigil.events.globex.logon", "a".repeat(32), '{"x":1}', sig],
    ["another message id", keyHash, subject, "b".repeat(32), '{"x":1}', sig],
    ["an altered payload", keyHash, subject, "a".repeat(32), '{"x":2}', sig],
    ["a truncated signature", keyHash, subject, "a".repeat(32), '{"x":1}', sig.slice(0, 10)],
    ["garbage", keyHash, subject, "a".repeat(32), '{"x":1}', "zz"],
  ])("rejects %s", (_label, k, s, id, payload, signature) => {
    expect(verifyEventSignature(k, s, id, payload, signature)).toBe(false);
  });
});
