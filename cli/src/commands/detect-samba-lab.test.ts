import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

/**
 * `vigil detect` over the real Samba 4.17 lab run (../shared/datasets/samba-lab-run): the DC's JSON
 * audit logs, auto-detected by content, against manifest.tsv, which says which attack ran when.
 * What the logs can show is asserted to alert inside its step's time window; the benign phase must
 * stay silent. What they cannot show (Samba never logs TGS requests nor replication) is pinned as
 * absent, so a change in either direction is noticed.
 */
const RUN = "/work/shared/datasets/samba-lab-run";
const VIGIL = fileURLToPath(new URL("../../bin/vigil.js", import.meta.url));

interface Step {
  step: string;
  start: number;
  end: number;
}
interface AlertLine {
  type: string;
  severity: string;
  description: string;
  firstSeen: string;
  lastSeen: string;
  entities: { role: string; id: string }[];
}

function manifest(): Map<string, Step> {
  const [head, ...rows] = readFileSync(`${RUN}/manifest.tsv`, "utf8").trim().split("\n");
  const cols = head!.split("\t");
  const at = (row: string[], name: string) => row[cols.indexOf(name)]!;
  return new Map(
    rows.map((line) => {
      const row = line.split("\t");
      const step = at(row, "step");
      return [step, { step, start: Date.parse(at(row, "start_utc")), end: Date.parse(at(row, "end_utc")) }];
    }),
  );
}

async function detect(dir: string): Promise<{ alerts: AlertLine[]; log: string }> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [VIGIL, "detect", dir], { maxBuffer: 16 * 1024 * 1024 });
  return {
    alerts: stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AlertLine),
    log: stderr,
  };
}

/** Whether the alert's evidence (first to last seen) touches the step's window, with 1 s for clock rounding. */
const during = (alert: AlertLine, step: Step) =>
  Date.parse(alert.firstSeen) <= step.end + 1000 && Date.parse(alert.lastSeen) >= step.start - 1000;

describe.skipIf(!existsSync(`${RUN}/manifest.tsv`))("vigil detect over the Samba lab run", () => {
  const steps = manifest();
  const step = (name: string) => {
    const s = steps.get(name);
    if (!s) throw new Error(`manifest has no step ${name}`);
    return s;
  };

  it("reads the JSON-lines export: every file recognised as Samba audit, no problem, alerts where the attacks ran", async () => {
    const { alerts, log } = await detect(`${RUN}/audit`);
    expect(log).toMatch(/5 file\(s\), 62 events, \d+ alert\(s\), 0 problem\(s\)/);
    const byType = (type: string) => alerts.filter((a) => a.type === type);

    // 12 users × one password over Kerberos pre-authentication, from the attacker.
    const spray = byType("password-spray");
    expect(spray).toHaveLength(1);
    expect(during(spray[0]!, step("spray_kerberos"))).toBe(true);
    expect(spray[0]!.entities).toContainEqual(expect.objectContaining({ role: "source", id: "10.99.0.66" }));

    // 10 wrong NTLM passwords then the right one for bob: high, the password was guessed.
    const brute = byType("brute-force");
    expect(brute).toHaveLength(1);
    expect(brute[0]!.severity).toBe("high");
    expect(during(brute[0]!, step("brute_ntlm_smb"))).toBe(true);
    expect(brute[0]!.description).toMatch(/bob/);

    // eve added to Domain Admins over LDAP.
    const group = byType("sensitive-group-addition");
    expect(group).toHaveLength(1);
    expect(during(group[0]!, step("add_to_domain_admins"))).toBe(true);
    expect(group[0]!.description).toMatch(/eve.*Domain Admins/);

    // GetUserSPNs' extra AS-REQ asks for an RC4 TGT for eve, whose earlier TGTs were AES.
    const opth = byType("overpass-the-hash");
    expect(opth).toHaveLength(1);
    expect(during(opth[0]!, step("kerberoast"))).toBe(true);

    // Nothing before the first attack step: the benign phase (kinit, Kerberos SMB, LDAP GSSAPI, NTLM SMB) is quiet.
    const firstAttack = step("dns_srv_discovery").start;
    expect(alerts.filter((a) => Date.parse(a.firstSeen) < firstAttack)).toEqual([]);

    // Samba's KDC logs no TGS request and nothing replication-specific, and the one roastable
    // account (carol) is a single no-pre-auth TGT with one unknown name beside it: below
    // asrep-roasting's thresholds. Pinned, so a mapping that starts showing them is noticed.
    expect(alerts.map((a) => a.type).sort()).toEqual(["brute-force", "overpass-the-hash", "password-spray", "sensitive-group-addition"]);
  });

  it("reads Samba's own class log files the same way, and reports the smb.conf beside them without stopping", async () => {
    const exported = await detect(`${RUN}/audit`);
    const raw = await detect(`${RUN}/samba-logs`);
    expect(raw.alerts.map((a) => [a.type, a.firstSeen, a.lastSeen])).toEqual(exported.alerts.map((a) => [a.type, a.firstSeen, a.lastSeen]));
    expect(raw.log).toMatch(/auth\.json\.log: 57 security events/);
    expect(raw.log).toMatch(/smb\.conf: 0 security events/);
  });
});
