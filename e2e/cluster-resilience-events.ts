/**
 * The event file the cluster resilience test replays: Windows Security event XML, one <Event> a line,
 * as a DC's forwarded log looks. Mostly ordinary logons (each writes a session to the graph), with
 * attacks spread over the whole file, so that detection state and open alerts must survive a
 * processor restart wherever it happens: a DCSync (4662 with the replication right) every
 * `dcsyncEvery` events by one of three rogue accounts in turn (each rogue's DCSyncs aggregate into one
 * alert), a burst of 12 wrong passwords against one account every `bruteEvery` events, and a slow
 * guess against one account from one address every `slowGuessEvery` events, whose brute-force window
 * spans the file.
 */
const DOMAIN_SID = "S-1-5-21-4100-4200-4300";
const NS = "http://schemas.microsoft.com/win/2004/08/events/event";
const REPLICATION_RIGHT = "{1131F6AD-9C07-11D1-F79F-00C04FC2DCD2}";

/** Shape of the generated file. */
export interface ResilienceInput {
  events: number;
  dcsyncEvery: number;
  bruteEvery: number;
  slowGuessEvery: number;
  /** Time of the first event; consecutive events are 150 ms apart. */
  start: Date;
}

function system(id: number, record: number, time: Date): string {
  return (
    `<System><Provider Name="Microsoft-Windows-Security-Auditing"/><EventID>${id}</EventID>` +
    `<TimeCreated SystemTime="${time.toISOString()}"/><EventRecordID>${record}</EventRecordID>` +
    `<Channel>Security</Channel><Computer>DC01.res.example</Computer></System>`
  );
}

const data = (fields: Record<string, string | number>) =>
  Object.entries(fields)
    .map(([k, v]) => `<Data Name="${k}">${v}</Data>`)
    .join("");

function logon(record: number, time: Date, user: number): string {
  const fields = {
    SubjectUserSid: "S-1-0-0",
    TargetUserSid: `${DOMAIN_SID}-${10_000 + user}`,
    TargetUserName: `user${user}`,
    TargetDomainName: "RES",
    TargetLogonId: `0x${(0xa00000 + record).toString(16)}`,
    LogonType: 3,
    LogonProcessName: "Kerberos",
    AuthenticationPackageName: "Kerberos",
    WorkstationName: `WKS${user % 120}`,
    IpAddress: `10.7.${user % 200}.${(user % 120) + 1}`,
    IpPort: 50_000 + (record % 10_000),
  };
  return `<Event xmlns="${NS}">${system(4624, record, time)}<EventData>${data(fields)}</EventData></Event>`;
}

function failedLogon(record: number, time: Date, victim: number, attacker: number): string {
  const fields = {
    SubjectUserSid: "S-1-0-0",
    TargetUserSid: "S-1-0-0",
    TargetUserName: `user${victim}`,
    TargetDomainName: "RES",
    Status: "0xc000006d",
    SubStatus: "0xc000006a",
    LogonType: 3,
    LogonProcessName: "NtLmSsp",
    AuthenticationPackageName: "NTLM",
    WorkstationName: `ATTACK${attacker}`,
    IpAddress: `10.66.0.${attacker % 250}`,
    IpPort: 40_000 + (record % 10_000),
  };
  return `<Event xmlns="${NS}">${system(4625, record, time)}<EventData>${data(fields)}</EventData></Event>`;
}

function dcsync(record: number, time: Date, attacker: number): string {
  const fields = {
    SubjectUserSid: `${DOMAIN_SID}-${30_000 + attacker}`,
    SubjectUserName: `rogue${attacker}`,
    SubjectDomainName: "RES",
    ObjectServer: "DS",
    ObjectType: "%{19195a5b-6da0-11d0-afd3-00c04fd930c9}",
    ObjectName: "%{0d1f5e1a-0000-4000-8000-000000000001}",
    AccessMask: "0x100",
    Properties: `%%7688 ${REPLICATION_RIGHT} {19195a5b-6da0-11d0-afd3-00c04fd930c9}`,
  };
  return `<Event xmlns="${NS}">${system(4662, record, time)}<EventData>${data(fields)}</EventData></Event>`;
}

/** The whole file as text, and how many events and attacks it holds. */
export function resilienceEventFile(input: ResilienceInput): { text: string; events: number; dcsyncs: number; bursts: number } {
  const lines = ['<?xml version="1.0" encoding="utf-8"?>'];
  let dcsyncs = 0;
  let bursts = 0;
  for (let i = 0; i < input.events;) {
    const time = (k: number) => new Date(input.start.getTime() + k * 150);
    if (i % input.bruteEvery === input.bruteEvery - 1 && i + 12 <= input.events) {
      for (let k = 0; k < 12; k++) lines.push(failedLogon(i + k + 1, time(i + k), 500 + bursts, bursts));
      bursts++;
      i += 12;
    } else if (i % input.dcsyncEvery === input.dcsyncEvery - 1) {
      lines.push(dcsync(i + 1, time(i), dcsyncs++ % 3));
      i++;
    } else if (i % input.slowGuessEvery === input.slowGuessEvery - 1) {
      lines.push(failedLogon(i + 1, time(i), 399, 249));
      i++;
    } else {
      lines.push(logon(i + 1, time(i), i % 400));
      i++;
    }
  }
  return { text: `${lines.join("\n")}\n`, events: lines.length - 1, dcsyncs, bursts };
}
