// The traffic-state codec of the posture runner's state file: a round trip keeps every counter;
// damaged rows are dropped one by one and a file of another tenant gives an empty state.
import { finalizeEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { emptyTraffic, foldTraffic, trafficObservations } from "../posture/index.ts";
import { decodeTraffic, encodeTraffic } from "./posture-runner-traffic.ts";

const NOW = "2026-11-25T12:00:00.000Z";
const tgs = (recordId: string, etype: number) =>
  finalizeEvent({
    tenantId: "acme",
    sensorId: "s1",
    time: "2026-11-25T10:00:00.000Z",
    dc: "DC01.acme.local",
    kind: "kerberos.tgs",
    actor: { name: "bob", domain: "ACME" },
    target: { name: "svc_sql" },
    service: "MSSQLSvc/sql01",
    etype,
    result: 0,
    origin: { format: "pcap", recordId },
  });

describe("posture runner traffic codec", () => {
  it("round-trips through JSON with the same observations", () => {
    const s = emptyTraffic("acme");
    foldTraffic(s, tgs("1", 23));
    foldTraffic(s, tgs("2", 23));
    const back = decodeTraffic(JSON.parse(JSON.stringify(encodeTraffic(s))), "acme");
    expect(trafficObservations(back, NOW)).toEqual(trafficObservations(s, NOW));
    expect(trafficObservations(back, NOW)?.accounts).toEqual([{ account: "svc_sql", rc4Tickets: 2 }]);
  });

  it("drops damaged rows and keeps the rest; another tenant's or unreadable state is empty", () => {
    const day = Date.parse("2026-11-25T00:00:00.000Z");
    const json = {
      tenantId: "acme",
      days: [[day, [{ account: "bob", ntlmV1: 2 }, { account: 7 }, { account: "eve", rc4Tickets: "many" }]], ["x", []], "junk"],
      dcs: [
        ["dc01.acme.local", day],
        ["dc02", "noon"],
      ],
      firstSeen: day,
      lastSeen: day,
    };
    const s = decodeTraffic(json, "acme");
    expect([...s.days.get(day)!.values()]).toEqual([{ account: "bob", ntlmV1: 2 }, { account: "eve" }]);
    expect([...s.dcs]).toEqual([["dc01.acme.local", day]]);
    expect(decodeTraffic(json, "other").days.size).toBe(0);
    expect(decodeTraffic("nonsense", "acme")).toEqual(emptyTraffic("acme"));
  });
});
