import { finalizeEvent, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, type EntityContext } from "../engine/context.ts";
import { adfsDkmRead, THUMBNAIL_PHOTO } from "./adfs-dkm-read.ts";
import { acct, DOMAIN_SID, kdcEvent, replay, T0 } from "./test-events.ts";

const CONTACT = "5cb41ed0-0e4c-11d0-a286-00aa003049e2";
const OBJECT = "9736f74f-fd37-4b02-80e8-8120a72ad6c2";
let record = 0;
/** 4662 read on a directory object, as DC01 logs it. */
function read(actor: Principal, o: { t?: number; cls?: string; props?: string[]; mask?: string } = {}): VigilEvent {
  return finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(T0 + (o.t ?? 0)).toISOString(),
    dc: "DC01.acme.local",
    kind: "directory.access",
    actor,
    target: { name: OBJECT },
    objectClass: o.cls ?? "contact",
    properties: o.props ?? ["77b5b886-944a-11d1-aebd-0000f80367c1", THUMBNAIL_PHOTO, CONTACT],
    accessMask: o.mask ?? "0x10",
    origin: { format: "evtx", recordId: String(++record), eventId: 4662 },
  });
}

const wardog = acct("wardog", 500);
const W = `account:${DOMAIN_SID}-500`;

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  { name: "thumbnailPhoto read on a contact (AADInternals, sample)", events: () => [read(wardog)], expect: [`high ${W}`] },
  { name: "five reads are one alert", events: () => [0, 1, 2, 3, 4].map((t) => read(wardog, { t: t * 1000 })), expect: [`high ${W}`] },
  {
    name: "the class as its GUID, properties as %{GUID}",
    events: () => [read(wardog, { cls: CONTACT, props: [`%{${THUMBNAIL_PHOTO.toUpperCase()}}`] })],
    expect: [`high ${W}`],
  },
];

const nearMiss: Case[] = [
  {
    name: "thumbnailPhoto read on a user (GAL photo)",
    events: () => [read(wardog, { cls: "user", props: [THUMBNAIL_PHOTO] })],
    expect: [],
  },
  {
    name: "another attribute of the contact",
    events: () => [read(wardog, { props: ["bf967a0e-0de6-11d0-a285-00aa003049e2", CONTACT] })],
    expect: [],
  },
  { name: "a write, not a read (0x20)", events: () => [read(wardog, { mask: "0x20" })], expect: [] },
];

const benign: Case[] = [
  {
    name: "the AD FS gMSA excluded as the AD FS service",
    events: () => [read(acct("svc_ADFS$", 1120))],
    setup: (ctx) => addExclusion(ctx, "adfs-dkm-read", "svc_ADFS$"),
    expect: [],
  },
  { name: "a DC replicating the container", events: () => [kdcEvent("DC02.acme.local"), read(acct("DC02$"))], expect: [] },
  { name: "the DC's own LocalSystem", events: () => [read({ sid: "S-1-5-18", name: "DC01$" })], expect: [] },
];

describe("adfs-dkm-read", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([adfsDkmRead], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("names the reader and the object", () => {
    const [alert] = replay([adfsDkmRead], [read(wardog)]).alerts;
    expect(alert!.description).toMatch(new RegExp(`^ACME\\\\wardog read thumbnailPhoto of contact ${OBJECT} on DC01\\.acme\\.local`));
  });
});
