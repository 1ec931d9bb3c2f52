import { describe, expect, it } from "vitest";
import { overlaps, readManifest, type LabAlert } from "./manifest.ts";

const HEADER = "step\tphase\tstart_utc\tend_utc\tseconds\trc\tsrc_ip\taccount\ttool\tcommand";
const row = (...cells: string[]) => cells.join("\t");

describe("lab manifest", () => {
  it("reads each step's window, phase, rc and source", () => {
    const steps = readManifest(
      [
        HEADER,
        row(
          "benign_kinit_alice",
          "benign",
          "2026-11-25T20:48:30.156Z",
          "2026-11-25T20:48:30.400Z",
          "0.24",
          "0",
          "10.232.0.20",
          "alice",
          "kinit",
          "kinit",
        ),
        row(
          "dcsync",
          "attack",
          "2026-11-25T20:49:02.178Z",
          "2026-11-25T20:49:04.194Z",
          "2.02",
          "0",
          "10.232.0.66",
          "eve",
          "secretsdump.py",
          "x",
        ),
        "",
      ].join("\n"),
    );
    expect(steps).toEqual([
      expect.objectContaining({ name: "benign_kinit_alice", phase: "benign", start: Date.parse("2026-11-25T20:48:30.156Z"), rc: 0 }),
      expect.objectContaining({ name: "dcsync", phase: "attack", end: Date.parse("2026-11-25T20:49:04.194Z"), srcIp: "10.232.0.66" }),
    ]);
  });

  it("rejects a foreign header and names the line of a malformed row", () => {
    expect(() => readManifest("name\tstart\n")).toThrow(/unexpected header/);
    expect(() => readManifest([HEADER, row("x", "attack", "not a time", "2026-11-25T20:49:04.194Z")].join("\n"))).toThrow(
      /line 2: malformed row/,
    );
    expect(() => readManifest([HEADER, row("x", "recon", "2026-11-25T20:49:04Z", "2026-11-25T20:49:05Z")].join("\n"))).toThrow(/line 2/);
  });

  it("matches an alert to a step when its evidence span meets the window, edges included", () => {
    const step = { name: "s", phase: "attack" as const, start: 1000, end: 2000, rc: 0, srcIp: "", account: "", tool: "" };
    const alert = (first: number, last: number): LabAlert => ({
      type: "t",
      firstSeen: new Date(first).toISOString(),
      lastSeen: new Date(last).toISOString(),
      evidenceCount: 1,
      entities: [],
    });
    expect(overlaps(alert(1500, 1500), step)).toBe(true);
    expect(overlaps(alert(500, 3000), step)).toBe(true);
    expect(overlaps(alert(2000, 2500), step)).toBe(true);
    expect(overlaps(alert(500, 999), step)).toBe(false);
    expect(overlaps(alert(2001, 2500), step)).toBe(false);
  });
});
