import { describe, expect, it } from "vitest";
import { emptyContext, learnFromEvent } from "../engine/context.ts";
import { accountEntity, accountKey, hostEntity, isMachineAccount, label, listed, sourceOf } from "./entities.ts";
import { acct, DOMAIN_SID, failure, success } from "./test-events.ts";

describe("detection entity helpers", () => {
  it.each([
    ["an IP", { ip: "10.0.0.5", host: "WS05" }, "host:10.0.0.5"],
    ["an IPv4-mapped IP", { ip: "::ffff:10.0.0.5" }, "host:10.0.0.5"],
    ["a host name when there is no IP", { host: "WS05.acme.local" }, "host:ws05"],
    ["the recording host for loopback", { ip: "127.0.0.1" }, "host:dc01"],
    ["nothing", {}, undefined],
  ])("names the source from %s", (_name, c, key) => {
    expect(sourceOf(failure("logon", "bob", c))?.key).toBe(key);
  });

  it("takes the NTLM workstation as source when that is all there is", () => {
    expect(sourceOf(failure("ntlm", "bob", { host: "KALI" }))?.entity).toEqual({
      role: "source",
      kind: "computer",
      id: "kali",
      name: "KALI",
    });
  });

  it("names a source IP after the computer that held it, keeping the IP as key", () => {
    const machine = learnFromEvent(emptyContext(), success("kerberos.as", "WS05$", { ip: "10.0.0.5", t: -60_000 }));
    expect(sourceOf(failure("logon", "bob", { ip: "10.0.0.5" }), machine)).toEqual({
      key: "host:10.0.0.5",
      entity: { role: "source", kind: "ip", id: "10.0.0.5", name: "WS05" },
    });
    expect(sourceOf(failure("logon", "bob", { ip: "10.0.0.6" }), machine)?.entity).toEqual({ role: "source", kind: "ip", id: "10.0.0.6" });
  });

  it("answers from the fields of the event it is given, never a previous event's", () => {
    // sourceOf and accountKey reuse their last answer while the inputs are the same strings.
    const actor = { name: "CORP\\Bob", sid: `${DOMAIN_SID}-1106` };
    expect(accountKey(actor, "name")).toBe("account:bob");
    actor.name = "alice";
    expect(accountKey(actor, "name")).toBe("account:alice");
    expect(accountKey(actor, "sid")).toBe(`account:${DOMAIN_SID}-1106`);
    actor.sid = `${DOMAIN_SID}-1107`;
    expect(accountKey(actor, "sid")).toBe(`account:${DOMAIN_SID}-1107`);
    const e = failure("logon", "bob", { ip: "10.0.0.5" });
    expect(sourceOf(e)?.key).toBe("host:10.0.0.5");
    expect(sourceOf({ ...e, src: { ip: "10.0.0.6" } })?.key).toBe("host:10.0.0.6");
    expect(sourceOf({ ...e, src: { host: "WS07" } })?.key).toBe("host:ws07");
    expect(sourceOf({ ...e, src: undefined })).toBeUndefined();
    expect(sourceOf(e)?.key).toBe("host:10.0.0.5");
  });

  it.each([
    ["WS01$", true],
    [" WS01$ ", true],
    ["WS01$\u00a0", true],
    ["bob", false],
    ["bob ", false],
    ["", false],
  ])("tells machine account %j: %s", (name, machine) => {
    expect(isMachineAccount({ name: JSON.parse(`"${name}"`) as string })).toBe(machine);
  });

  it("keys accounts by name or SID as asked, ignoring the NULL SID", () => {
    expect(accountKey({ name: "CORP\\Bob", sid: `${DOMAIN_SID}-1106` }, "name")).toBe("account:bob");
    expect(accountKey({ name: "bob@corp.lab", sid: `${DOMAIN_SID}-1106` }, "sid")).toBe(`account:${DOMAIN_SID}-1106`);
    expect(accountKey({ name: "bob", sid: "S-1-0-0" }, "sid")).toBe("account:bob");
    expect(accountKey(undefined, "sid")).toBeUndefined();
  });

  it("labels and describes entities", () => {
    expect(label(acct("bob"))).toBe("ACME\\bob");
    expect(label({ name: "CORP\\bob" })).toBe("CORP\\bob");
    expect(label(undefined)).toBe("an unknown account");
    expect(accountEntity("actor", acct("WS01$"))).toEqual({ role: "actor", kind: "computer", id: "WS01$", name: "ACME\\WS01$" });
    expect(hostEntity("dc", "10.0.0.10")).toEqual({ role: "dc", kind: "ip", id: "10.0.0.10", name: "10.0.0.10" });
    expect(listed(["a", "b", "c", "d", "e"])).toBe("a, b, c and 2 more");
  });
});
