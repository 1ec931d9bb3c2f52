/**
 * The demo domain `vigil start` replays: CORP (corp.example) with one DC, two workstations, a few
 * users, ordinary logons, and a short attack story from 10.0.0.66 — a password guessing run against
 * bob that ends in a successful logon, bob adding himself to Domain Admins, then bob replicating
 * secrets from DC01 (DCSync). It is rendered as Windows event XML so it takes the sensor's real path.
 */
const DOMAIN_SID = "S-1-5-21-3623811015-3361044348-30300820";
const DC = "DC01.corp.example";
const users = {
  alice: `${DOMAIN_SID}-1104`,
  bob: `${DOMAIN_SID}-1105`,
  carol: `${DOMAIN_SID}-1106`,
} as const;

interface DemoRecord {
  eventId: number;
  offsetSec: number;
  data: Record<string, string>;
}

const logon = (offsetSec: number, user: keyof typeof users, ip: string, host: string, ok = true): DemoRecord => ({
  eventId: ok ? 4624 : 4625,
  offsetSec,
  data: {
    TargetUserSid: ok ? users[user] : "S-1-0-0",
    TargetUserName: user,
    TargetDomainName: "CORP",
    LogonType: "3",
    LogonProcessName: "NtLmSsp",
    AuthenticationPackageName: "NTLM",
    WorkstationName: host,
    IpAddress: ip,
    IpPort: "50000",
    ...(ok ? {} : { Status: "0xc000006d", SubStatus: "0xc000006a" }),
  },
});

function story(): DemoRecord[] {
  const records: DemoRecord[] = [logon(0, "alice", "10.0.0.21", "WKS01"), logon(30, "carol", "10.0.0.22", "WKS02")];
  for (let i = 0; i < 12; i++) records.push(logon(120 + i * 5, "bob", "10.0.0.66", "KALI", false));
  records.push(logon(190, "bob", "10.0.0.66", "KALI"));
  records.push({
    eventId: 4728,
    offsetSec: 240,
    data: {
      MemberName: `CN=bob,CN=Users,DC=corp,DC=example`,
      MemberSid: users.bob,
      TargetUserName: "Domain Admins",
      TargetDomainName: "CORP",
      TargetSid: `${DOMAIN_SID}-512`,
      SubjectUserSid: users.bob,
      SubjectUserName: "bob",
      SubjectDomainName: "CORP",
    },
  });
  for (const [i, right] of ["1131f6aa-9c07-11d1-f79f-00c04fc2dcd2", "1131f6ad-9c07-11d1-f79f-00c04fc2dcd2"].entries()) {
    records.push({
      eventId: 4662,
      offsetSec: 300 + i,
      data: {
        SubjectUserSid: users.bob,
        SubjectUserName: "bob",
        SubjectDomainName: "CORP",
        ObjectServer: "DS",
        ObjectType: "%{19195a5b-6da0-11d0-afd3-00c04fd930c9}",
        ObjectName: "%{b2d4a6c8-1357-4bdf-9ace-0123456789ab}",
        AccessMask: "0x100",
        Properties: `%%7688 {${right}} {19195a5b-6da0-11d0-afd3-00c04fd930c9}`,
      },
    });
  }
  return records;
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The demo as event XML, with event times counted from `start` so its alerts look recent. */
export function demoDomainXml(start: Date): string {
  return story()
    .map((r, i) => {
      const time = new Date(start.getTime() + r.offsetSec * 1000).toISOString();
      const data = Object.entries(r.data)
        .map(([k, v]) => `<Data Name="${k}">${escapeXml(v)}</Data>`)
        .join("");
      return (
        `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>` +
        `<Provider Name="Microsoft-Windows-Security-Auditing"/><EventID>${r.eventId}</EventID>` +
        `<TimeCreated SystemTime="${time}"/><EventRecordID>${i + 1}</EventRecordID><Channel>Security</Channel>` +
        `<Computer>${DC}</Computer></System><EventData>${data}</EventData></Event>`
      );
    })
    .join("\n");
}

/** The alert types the demo story must raise (checked by a test). */
export const DEMO_EXPECTED_ALERTS = ["brute-force", "sensitive-group-addition", "dcsync"] as const;
