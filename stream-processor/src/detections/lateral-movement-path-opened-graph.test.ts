import type { LmpOpening } from "@vigil/graph-model";
import { describe, expect, it } from "vitest";
import { createEngine } from "../engine/engine.ts";
import { lateralMovementPathOpened } from "./lateral-movement-path-opened.ts";
import { LMP_OPENED_ID, openingCandidate, type PathNodeInfo } from "./lateral-movement-path-opened-graph.ts";

const D = "S-1-5-21-5-6-7";
const at = new Date("2026-11-25T12:00:00.000Z");
const opening = (over: Partial<LmpOpening> = {}): LmpOpening => ({
  id: "0123456789abcdef0123456789abcdef",
  target: `${D}-1109`,
  source: `${D}-1101`,
  newSources: 3,
  sources: [`${D}-1101`, `${D}-1102`],
  edge: { kind: "ADMIN_TO", from: `${D}-3001`, to: `${D}-2001`, source: "sharphound", firstSeen: at, lastSeen: at },
  path: { nodes: [`${D}-1101`, `${D}-3001`, `${D}-2001`, `${D}-1109`], kinds: ["MEMBER_OF", "ADMIN_TO", "HAS_SESSION"] },
  reachingBefore: 1,
  reachingAfter: 4,
  at,
  ...over,
});
const nodes = new Map<string, PathNodeInfo>([
  [`${D}-1101`, { kind: "User", name: "alice", domain: "ACME" }],
  [`${D}-1102`, { kind: "User", name: "bob", domain: "ACME" }],
  [`${D}-1109`, { kind: "User", name: "dadmin", domain: "ACME" }],
  [`${D}-3001`, { kind: "Group", name: "Helpdesk", domain: "ACME" }],
  [`${D}-2001`, { kind: "Computer", name: "WS01", domain: "ACME" }],
]);

describe("lateral-movement-path-opened from graph openings", () => {
  it("names the new source, the opening edge, the sensitive target and the path", () => {
    const c = openingCandidate(opening(), nodes, ["e1"]);
    expect(c).toMatchObject({ detectionId: LMP_OPENED_ID, severity: "medium", primaryEntity: "account:dadmin", evidenceEventIds: ["e1"] });
    expect(c.time).toBe(at.toISOString());
    expect(c.description).toBe(
      "ACME\\alice can now take over sensitive account ACME\\dadmin: ACME\\Helpdesk is local admin of ACME\\WS01 " +
        "(sharphound, last seen 2026-11-25T12:00:00.000Z), which opened the path ACME\\alice -MEMBER_OF-> ACME\\Helpdesk " +
        "-ADMIN_TO-> ACME\\WS01 -HAS_SESSION-> ACME\\dadmin. 2 more accounts newly reach it too (ACME\\bob, …). " +
        "Accounts able to reach ACME\\dadmin: 1 before, 4 now.",
    );
    expect(c.entities).toEqual([
      { role: "target", kind: "user", id: `${D}-1109`, name: "ACME\\dadmin" },
      { role: "member", kind: "user", id: `${D}-1101`, name: "ACME\\alice" },
      { role: "source", kind: "computer", id: "acme\\ws01", name: "ACME\\WS01" },
    ]);
  });

  it("falls back to objectIds for nodes the graph no longer has", () => {
    const c = openingCandidate(opening({ newSources: 1, sources: [`${D}-1101`] }), new Map(), []);
    expect(c.primaryEntity).toBe(`account:${D}-1109`); // as the event half keys an account known by SID only
    expect(c.description).toContain(`${D}-1101 can now take over sensitive account ${D}-1109`);
    expect(c.description).not.toContain("more account");
  });

  it("aggregates through the engine into the event half's alert on the same account, once per opening id", () => {
    const engine = createEngine({ detections: [lateralMovementPathOpened] });
    const first = engine.raise("acme", LMP_OPENED_ID, "lmp-opening:1", at.getTime(), [openingCandidate(opening(), nodes, [])]);
    expect(first.map((u) => [u.type, u.alert.count, u.alert.primaryEntity])).toEqual([["created", 1, "account:dadmin"]]);
    expect(engine.raise("acme", LMP_OPENED_ID, "lmp-opening:1", at.getTime(), [openingCandidate(opening(), nodes, [])])).toEqual([]);
    const later = opening({ id: "f".repeat(32), at: new Date(at.getTime() + 3_600_000) });
    const second = engine.raise("acme", LMP_OPENED_ID, "lmp-opening:2", later.at.getTime(), [openingCandidate(later, nodes, [])]);
    expect(second.map((u) => [u.type, u.alert.count, u.alert.id])).toEqual([["updated", 2, first[0]!.alert.id]]);
    expect(engine.raise("other", LMP_OPENED_ID, "lmp-opening:1", at.getTime(), [openingCandidate(opening(), nodes, [])])[0]!.type).toBe(
      "created",
    );
    expect(() => engine.raise("acme", "nope", "k", at.getTime(), [])).toThrow(/unknown detection/);
  });
});
