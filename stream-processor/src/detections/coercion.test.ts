import { finalizeEvent, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addDc, addExclusion, type EntityContext } from "../engine/context.ts";
import { coercion } from "./coercion.ts";
import { acct, kdcEvent, replay, SECOND, T0 } from "./test-events.ts";

let record = 0;
/** 5145 IPC$ pipe open on `host`. */
function pipe(actor: Principal, name: string, o: { t?: number; host?: string; ip?: string } = {}): VigilEvent {
  const host = o.host ?? "DC01.acme.local";
  return finalizeEvent({
    tenantId: "acme",
    sensorId: "s",
    time: new Date(T0 + (o.t ?? 0)).toISOString(),
    kind: "share.access",
    actor,
    src: { ip: o.ip ?? "10.0.2.17" },
    target: { host },
    share: "IPC$",
    relativeTarget: name,
    accessMask: "0x3",
    origin: { format: "evtx", recordId: String(++record), eventId: 5145, computer: host },
  });
}

const user = acct("IEUser", 1000);
const dc01 = (ctx: EntityContext) => addDc(ctx, { host: "DC01.acme.local" });

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  { name: "spoolss on a DC (PrinterBug)", events: () => [pipe(user, "spoolss")], setup: dc01, expect: ["high host:10.0.2.17"] },
  { name: "efsrpc on a DC (PetitPotam)", events: () => [pipe(user, "efsrpc")], setup: dc01, expect: ["high host:10.0.2.17"] },
  { name: "netdfs on a DC (DFSCoerce)", events: () => [pipe(user, "netdfs")], setup: dc01, expect: ["high host:10.0.2.17"] },
  {
    name: "held until the host is proven a DC by its KDC events",
    events: () => [pipe(user, "efsrpc"), kdcEvent("DC01.acme.local", { t: SECOND }), pipe(user, "lsarpc", { t: 2 * SECOND })],
    expect: ["high host:10.0.2.17"],
  },
];

const nearMiss: Case[] = [
  { name: "spoolss on a workstation (SpoolSample sample)", events: () => [pipe(user, "spoolss", { host: "MSEDGEWIN10" })], expect: [] },
  { name: "lsarpc on a DC (every client uses it)", events: () => [pipe(user, "lsarpc")], setup: dc01, expect: [] },
  { name: "netlogon on a DC", events: () => [pipe(user, "netlogon")], setup: dc01, expect: [] },
];

const benign: Case[] = [
  { name: "the DC's own spooler clients (loopback)", events: () => [pipe(user, "spoolss", { ip: "127.0.0.1" })], setup: dc01, expect: [] },
  { name: "another DC", events: () => [pipe(acct("DC02$"), "netdfs")], setup: (c) => addDc(dc01(c), { host: "DC02" }), expect: [] },
  {
    name: "DFS admin host excluded",
    events: () => [pipe(user, "netdfs", { ip: "10.0.7.7" })],
    setup: (c) => addExclusion(dc01(c), "coercion", "10.0.7.7"),
    expect: [],
  },
];

describe("coercion", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([coercion], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("names the protocol", () => {
    const [alert] = replay([coercion], [pipe(user, "efsrpc")], dc01).alerts;
    expect(alert!.description).toBe(
      "ACME\\IEUser from 10.0.2.17 opened the efsrpc pipe (MS-EFSR (PetitPotam)) on domain controller DC01.acme.local: calls on it can make the DC authenticate to an attacker's host for NTLM relay.",
    );
  });
});
