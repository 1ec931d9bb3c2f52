/** One row of the lab's out/manifest.tsv: what ran, where from, and when (UTC, ms). */
export interface Step {
  name: string;
  phase: "benign" | "attack";
  start: number;
  end: number;
  rc: number;
  srcIp: string;
  account: string;
  tool: string;
}

/** The fields of a `vigil detect` alert line the lab asserts on. */
export interface LabAlert {
  type: string;
  firstSeen: string;
  lastSeen: string;
  evidenceCount: number;
  entities: { role: string; id: string }[];
}

/**
 * Detection ids (DETECTIONS.md) each attack step must raise. Steps absent here are attacks no
 * detection sees yet; e2e/lab/EXPECTED.md gives the reason for each.
 */
export const EXPECTED_ALERTS: Record<string, string[]> = {
  dns_axfr: ["dns-zone-transfer"],
  spray_kerberos: ["password-spray"],
  brute_ntlm_smb: ["brute-force"],
  ldap_recon: ["ldap-recon"],
  samr_enum: ["samr-recon"],
  kerberoast: ["kerberoasting"],
  asrep_roast: ["asrep-roasting"],
  add_to_domain_admins: ["sensitive-group-addition"],
  dcsync: ["dcsync"],
  pth_smbclient: ["pass-the-hash"],
  pth_psexec: ["pass-the-hash", "remote-code-execution", "suspicious-service-creation"],
  pth_smbexec: ["pass-the-hash", "remote-code-execution", "suspicious-service-creation"],
  golden_ticket: ["golden-ticket"],
  golden_ticket_rc4: ["golden-ticket"],
  golden_ticket_ghost: ["golden-ticket"],
};

/** Parses manifest.tsv (header row first); a malformed row is an error naming its line. */
export function readManifest(text: string): Step[] {
  const [header, ...rows] = text.split("\n").filter((l) => l.trim() !== "");
  if (!header?.startsWith("step\tphase\tstart_utc\tend_utc")) throw new Error("manifest.tsv: unexpected header");
  return rows.map((row, i) => {
    const [name, phase, start, end, , rc, srcIp, account, tool] = row.split("\t");
    const s = Date.parse(start ?? "");
    const e = Date.parse(end ?? "");
    if (!name || (phase !== "benign" && phase !== "attack") || Number.isNaN(s) || Number.isNaN(e))
      throw new Error(`manifest.tsv line ${i + 2}: malformed row`);
    return { name, phase, start: s, end: e, rc: Number(rc), srcIp: srcIp ?? "", account: account ?? "", tool: tool ?? "" };
  });
}

/**
 * Whether the alert's evidence span [firstSeen, lastSeen] meets the step's window. Alerts that keep
 * collecting evidence (a spray that goes on into the next step) are one alert with a longer span.
 */
export function overlaps(alert: LabAlert, step: Step): boolean {
  const first = Date.parse(alert.firstSeen);
  const last = Date.parse(alert.lastSeen);
  return first <= step.end && last >= step.start;
}
