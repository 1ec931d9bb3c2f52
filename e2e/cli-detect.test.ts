import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const bin = new URL("../cli/bin/vigil.js", import.meta.url).pathname;
const samples = new URL("../../shared/datasets/attack-samples/", import.meta.url).pathname;

function detect(...args: string[]): Promise<{ code: number | null; alerts: Record<string, unknown>[]; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, "detect", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => {
      const alerts = stdout
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, alerts, stderr });
    });
  });
}

describe("vigil detect", () => {
  it("reports dcsync on the public DCSync JSON exports, one JSON alert per line", async () => {
    const { code, alerts, stderr } = await detect(
      join(samples, "dcsync/otrf__host__covenant_dcsync_dcerpc_drsuapi_DsGetNCChanges.zip"),
      join(samples, "dcsync/otrf__host__empire_dcsync_dcerpc_drsuapi_DsGetNCChanges.zip"),
    );
    expect(code).toBe(0);
    expect(alerts.map((a) => a.type)).toEqual(["dcsync", "dcsync"]);
    for (const alert of alerts) {
      expect(alert).toMatchObject({ severity: "high", evidenceCount: expect.any(Number) });
      expect(Object.keys(alert)).toEqual(
        expect.arrayContaining(["type", "severity", "title", "entities", "firstSeen", "lastSeen", "evidenceCount"]),
      );
      expect(JSON.stringify(alert.entities)).toContain("pgustavo");
    }
    expect(stderr).toContain("2 file(s), 30 events, 2 alert(s), 0 problem(s)");
  }, 60_000);

  it("reports unreadable and malformed input with file and position, keeps the good events, exits 0", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-detect-"));
    const good = JSON.stringify({
      EventID: 4662,
      TimeCreated: "2024-03-01T10:00:00Z",
      Computer: "DC01.corp.local",
      Channel: "Security",
      EventRecordID: "7",
      Provider: "Microsoft-Windows-Security-Auditing",
      EventData: {
        SubjectUserName: "mallory",
        SubjectDomainName: "CORP",
        SubjectUserSid: "S-1-5-21-1-2-3-1105",
        ObjectType: "%{19195a5b-6da0-11d0-afd3-00c04fd930c9}",
        Properties: "%%7688 {1131f6ad-9c07-11d1-f79f-00c04fc2dcd2}",
        AccessMask: "0x100",
      },
    });
    await writeFile(join(dir, "events.jsonl"), `${good}\n{"EventID": \n${good.replace('"7"', '"8"')}\n`);
    await writeFile(join(dir, "notes.txt"), "not an event log at all\n");
    const { code, alerts, stderr } = await detect(dir);
    expect(code).toBe(0);
    expect(stderr).toMatch(/events\.jsonl:line 2: /);
    expect(stderr).toMatch(/notes\.txt.*not Windows event XML or JSON/);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: "dcsync", evidenceCount: 2 });
  }, 60_000);

  it("fails with usage when given nothing or a missing path", async () => {
    expect((await detect()).code).toBe(2);
    const missing = await detect("/nonexistent/file.json");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no such file or directory: /nonexistent/file.json");
  });
});
