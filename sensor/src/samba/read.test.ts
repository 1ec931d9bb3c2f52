import { appendFile, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EventDraft } from "../contract/index.ts";
import type { ReadProblem } from "../windows/record.ts";
import { createSambaMapStats } from "./map.ts";
import { isSambaAuditFile, readSambaEvents } from "./read.ts";

const HEADER =
  "[2026/11/25 17:01:32.549884,  3, pid=812, effective(0, 0), real(0, 0), class=auth_json_audit] ../../auth/auth_log.c:178(log_json)";
const failure = (user: string, second: number) =>
  `  JSON Authentication: ${JSON.stringify({
    timestamp: `2026-11-25T17:01:${String(second).padStart(2, "0")}.549884+0000`,
    type: "Authentication",
    Authentication: {
      eventId: 4625,
      logonType: 3,
      status: "NT_STATUS_WRONG_PASSWORD",
      remoteAddress: "ipv4:10.99.0.66:50966",
      serviceDescription: "SMB2",
      authDescription: "NTLMSSP",
      clientDomain: "CORP",
      clientAccount: user,
      workstation: "ATK01",
      passwordType: "NTLMv2",
    },
  })}`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-samba-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(path: string, extra: Partial<Parameters<typeof readSambaEvents>[1]> = {}) {
  const problems: ReadProblem[] = [];
  const drafts: EventDraft[] = [];
  for await (const d of readSambaEvents(path, { tenantId: "t1", sensorId: "s1", onProblem: (p) => problems.push(p), ...extra }))
    drafts.push(d);
  return { drafts, problems };
}

const actors = (drafts: EventDraft[]) => drafts.map((d) => d.actor?.name);

describe("readSambaEvents", () => {
  it("reads Samba's class log: debug headers skipped, bad lines reported by line number, good lines around them kept", async () => {
    const path = join(dir, "auth.json.log");
    const lines = [
      HEADER,
      failure("alice", 1),
      HEADER,
      "  JSON Authentication: {broken",
      HEADER,
      failure("bob", 2),
      "garbage text",
      failure("carol", 3),
    ];
    await writeFile(path, `${lines.join("\n")}\n`);
    const stats = createSambaMapStats();
    const { drafts, problems } = await readAll(path, { stats, dc: "dc1" });
    expect(actors(drafts)).toEqual(["alice", "bob", "carol"]);
    expect(drafts.every((d) => d.dc === "dc1")).toBe(true);
    expect(problems.map((p) => [p.position, p.unit])).toEqual([
      [4, "line"],
      [7, "line"],
    ]);
    expect(stats).toMatchObject({ records: 3, drafts: 3, problems: 0 });
  });

  it("reads gzip-compressed logs, CRLF line ends and a last line without newline", async () => {
    const path = join(dir, "auth.json.log.1.gz");
    await writeFile(path, gzipSync(`${failure("alice", 1)}\r\n${failure("bob", 2)}`));
    expect(actors((await readAll(path)).drafts)).toEqual(["alice", "bob"]);
  });

  it("reports an unreadable path instead of throwing", async () => {
    const { drafts, problems } = await readAll(join(dir, "missing.log"));
    expect(drafts).toEqual([]);
    expect(problems[0]?.reason).toMatch(/cannot open/);
  });

  it("recognises Samba audit files by content, not name", async () => {
    const samba = join(dir, "whatever.txt");
    await writeFile(samba, `${HEADER}\n${failure("alice", 1)}\n`);
    const windows = join(dir, "auth.json.log");
    await writeFile(windows, '{"EventID": 4625, "TimeCreated": "2026-11-25T17:00:00Z"}\n');
    const empty = join(dir, "dsdb_transaction.json.log");
    await writeFile(empty, "");
    expect(await isSambaAuditFile(samba)).toBe(true);
    expect(await isSambaAuditFile(windows)).toBe(false);
    expect(await isSambaAuditFile(empty)).toBe(false);
    expect(await isSambaAuditFile(join(dir, "missing"))).toBe(false);
  });

  it("follows a growing file across logrotate's rename and a copytruncate, losing no record", async () => {
    const path = join(dir, "auth.json.log");
    await writeFile(path, `${HEADER}\n${failure("a1", 1)}\n`);
    const abort = new AbortController();
    const seen: string[] = [];
    const problems: ReadProblem[] = [];
    const reading = (async () => {
      for await (const d of readSambaEvents(path, {
        tenantId: "t1",
        sensorId: "s1",
        follow: true,
        pollIntervalMs: 20,
        signal: abort.signal,
        onProblem: (p) => problems.push(p),
      }))
        seen.push(d.actor!.name!);
    })();
    const until = async (n: number) => {
      for (let i = 0; i < 250 && seen.length < n; i++) await sleep(20);
      expect(seen).toHaveLength(n);
    };
    await until(1);
    // A record written in two pieces is read once, whole.
    const half = failure("a2", 2);
    await appendFile(path, half.slice(0, 40));
    await sleep(60);
    await appendFile(path, `${half.slice(40)}\n`);
    await until(2);
    // Rotation: the old file gets one more record after the rename, then a new file appears.
    await rename(path, `${path}.1`);
    await appendFile(`${path}.1`, `${failure("a3", 3)}\n`);
    await writeFile(path, `${failure("b1", 4)}\n`);
    await until(4);
    // copytruncate: the file is emptied in place and written again.
    await writeFile(path, "");
    await sleep(80);
    await writeFile(path, `${failure("c1", 5)}\n`);
    await until(5);
    abort.abort();
    await reading;
    expect(seen).toEqual(["a1", "a2", "a3", "b1", "c1"]);
    expect(problems.map((p) => p.reason)).toEqual([
      "log rotated; reading the new file from its start",
      "file shrank (truncated); reading again from its start",
    ]);
  });
});
