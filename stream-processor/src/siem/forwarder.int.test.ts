// The SIEM forwarder against a real syslog receiver (a private rsyslogd on loopback ports): every
// line rsyslog stored is parsed back (syslog header, CEF header, each extension) and compared.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertPayload } from "../sinks/alert-writer.ts";
import type { HealthIssueChange } from "../health/monitor.ts";
import { parseCef } from "./cef.ts";
import { createSiemForwarder, type SiemForwarder } from "./forwarder.ts";
import { freePort, startRsyslog, waitUntil, type RsyslogReceiver } from "./rsyslog.fixture.ts";
import type { SiemTargetConfig } from "./transport.ts";

let rs: RsyslogReceiver;
const forwarders: SiemForwarder[] = [];
const logs: string[] = [];

beforeAll(async () => {
  rs = await startRsyslog();
});
afterAll(async () => {
  for (const f of forwarders) await f.close();
  await rs?.stop();
});

const source = { vendor: "Vigil", product: "Vigil ITDR", version: "9.9.9", portalUrl: "https://vigil.example" };

function forwarder(target: SiemTargetConfig | undefined, over: Partial<Parameters<typeof createSiemForwarder>[0]> = {}) {
  const f = createSiemForwarder({
    targets: async () => target,
    hostname: "vigil-proc-1",
    source,
    retryBaseMs: 50,
    retryMaxMs: 400,
    connectTimeoutMs: 2000,
    log: (l) => logs.push(l),
    ...over,
  });
  forwarders.push(f);
  return f;
}

const alert = (tenantId: string, id: string, over: Partial<AlertPayload> = {}): AlertPayload => ({
  tenantId,
  id,
  detectionId: "brute-force",
  severity: "high",
  status: "open",
  title: "Suspected brute-force attack | Kerberos",
  description: `Failed logons against ALICE from WS1 (marker ${id}); value a=b\\c`,
  primaryEntity: "account:alice",
  entities: [
    { role: "source", kind: "computer", id: "ws1.corp.example", name: "ws1" },
    { role: "target", kind: "user", id: "S-1-5-21-9-1105", name: "alice" },
  ],
  mitre: ["T1110"],
  firstSeen: "2026-11-25T10:00:00.123Z",
  lastSeen: "2026-11-25T10:05:00.000Z",
  count: 12,
  recommendedActions: [],
  ...over,
});

const health = (tenantId: string): HealthIssueChange => ({
  change: "raised",
  issue: {
    tenantId,
    id: `h-${tenantId}`,
    sensorId: "s-1",
    type: "sensor-stopped-communicating",
    subject: "",
    title: "Sensor stopped communicating",
    severity: "medium",
    status: "open",
    description: "Sensor dc01 has not communicated for 6 minutes.",
    details: {},
    firstSeen: "2026-11-25T10:06:00.000Z",
    lastSeen: "2026-11-25T10:06:00.000Z",
    closedAt: null,
    suppressedUntil: null,
  },
});

const RFC5424 = /^<36>1 (\S+) (\S+) CEF (\S+) (\S+) - (CEF:0\|.*)$/;
const RFC3164 = /^<36>([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (\S+) CEF: (CEF:0\|.*)$/;

/** Received lines that carry `marker`, parsed: syslog fields and CEF. */
function received(marker: string, format: "rfc5424" | "rfc3164") {
  return rs
    .lines()
    .filter((l) => l.includes(marker))
    .map((line) => {
      const m = (format === "rfc5424" ? RFC5424 : RFC3164).exec(line);
      if (!m) throw new Error(`not a ${format} CEF line: ${line}`);
      return format === "rfc5424"
        ? { host: m[2], msgId: m[4], time: m[1], cef: parseCef(m[5]!) }
        : { host: m[2], time: m[1], cef: parseCef(m[3]!) };
    });
}

function expectAlertLine(cef: ReturnType<typeof parseCef>, a: AlertPayload, trigger: string) {
  expect(cef).toMatchObject({
    version: "0",
    vendor: "Vigil",
    product: "Vigil ITDR",
    deviceVersion: "9.9.9",
    classId: "BruteForceSecurityAlert",
    name: a.title,
    severity: "10",
  });
  expect(cef.extensions).toEqual({
    start: "2026-11-25T10:00:00.1230000Z",
    shost: "WS1",
    suser: "alice",
    msg: a.description,
    cnt: String(a.count),
    externalId: "2023",
    cs1Label: "url",
    cs1: `https://vigil.example/alerts/${a.id}`,
    cs2Label: "trigger",
    cs2: trigger,
    cs3Label: "shostfqdn",
    cs3: "ws1.corp.example",
    cs4Label: "detectionId",
    cs4: "brute-force",
    cs5Label: "alertId",
    cs5: a.id,
  });
}

describe.each([
  ["udp", "rfc5424"],
  ["tcp", "rfc3164"],
  ["tls", "rfc5424"],
  ["tls", "rfc3164"],
] as const)("%s / %s", (protocol, format) => {
  it("delivers new and updated alerts, a health issue and a test notification, all parseable", async () => {
    const tenant = `t-${protocol}-${format}-${Date.now().toString(36)}`;
    const port = protocol === "udp" ? rs.udpPort : protocol === "tcp" ? rs.tcpPort : rs.tlsPort;
    const f = forwarder({
      host: "127.0.0.1",
      port,
      protocol,
      format,
      ...(protocol === "tls" ? { caPem: rs.caPem, serverName: "localhost" } : {}),
    });
    const created = alert(tenant, `${tenant}-a1`);
    const updated = { ...created, count: 13 };
    f.alert(created, "new");
    f.alert(updated, "update");
    f.healthChanged(health(tenant));
    f.healthChanged({ ...health(tenant), change: "closed" }); // closings are not sent (MDI sends new issues)
    f.test(tenant);
    await f.idle(tenant);
    expect(f.stats()).toMatchObject({ sent: 4, dropped: 0 });
    const lines = await waitUntil(
      "4 lines",
      () => rs.lines().filter((l) => l.includes(tenant)),
      (l) => l.length >= 4,
    );
    expect(lines).toHaveLength(4);
    const [first, second] = received(created.id, format);
    expect(first!.host).toBe("vigil-proc-1");
    if (format === "rfc5424") expect(first!.msgId).toBe("BruteForceSecurityAlert");
    expectAlertLine(first!.cef, created, "new");
    expectAlertLine(second!.cef, updated, "update");
    const [healthLine] = received(`h-${tenant}`, format);
    expect(healthLine!.cef).toMatchObject({
      classId: "SensorStoppedCommunicatingMonitoringAlert",
      name: "Sensor stopped communicating",
      severity: "5",
    });
    expect(healthLine!.cef.extensions).toEqual({
      start: "2026-11-25T10:06:00.0000000Z",
      msg: health(tenant).issue.description,
      externalId: "1011",
      cs1Label: "url",
      cs1: `https://vigil.example/health/h-${tenant}`,
      cs4Label: "healthIssueType",
      cs4: "sensor-stopped-communicating",
    });
    const testLine = received(`tenant ${tenant}:`, format)[0]!;
    expect(testLine.cef).toMatchObject({ classId: "TestSiemNotification", severity: "3" });
    expect(testLine.cef.extensions.externalId).toBe("1000");
  });
});

it("refuses a TLS receiver whose certificate the configured CA did not sign, and keeps retrying", async () => {
  const wrongCa = (await import("node:tls")).rootCertificates[0]!;
  const f = forwarder({ host: "127.0.0.1", port: rs.tlsPort, protocol: "tls", format: "rfc5424", caPem: wrongCa, serverName: "localhost" });
  f.test("t-wrong-ca");
  await waitUntil(
    "two failed attempts",
    () => f.stats().failures,
    (n) => n >= 2,
  );
  expect(f.stats().sent).toBe(0);
  expect(logs.some((l) => /t-wrong-ca.*(certificate|self.signed|verify)/i.test(l))).toBe(true);
});

it("holds notifications while the receiver is down and delivers each once, in order, when it comes up", async () => {
  const port = await freePort("tcp");
  const tenant = `t-retry-${Date.now().toString(36)}`;
  const f = forwarder({ host: "127.0.0.1", port, protocol: "tcp", format: "rfc5424" });
  for (let i = 1; i <= 5; i++) f.alert(alert(tenant, `${tenant}-n${i}`), "new");
  await waitUntil(
    "failed attempts",
    () => f.stats().failures,
    (n) => n >= 3,
  );
  expect(f.stats().sent).toBe(0);
  const late = await startRsyslog({ tcpPort: port });
  try {
    await f.idle(tenant);
    const lines = await waitUntil(
      "5 lines",
      () => late.lines().filter((l) => l.includes(tenant)),
      (l) => l.length >= 5,
    );
    await new Promise((r) => setTimeout(r, 300)); // a duplicate would arrive right behind
    expect(late.lines().filter((l) => l.includes(tenant))).toHaveLength(5);
    expect(lines.map((l) => parseCef(l).extensions.cs5)).toEqual([1, 2, 3, 4, 5].map((i) => `${tenant}-n${i}`));
  } finally {
    await late.stop();
  }
});

it("drops the oldest when a tenant's queue is full, counts it and reports it", async () => {
  const port = await freePort("tcp");
  const tenant = `t-overflow-${Date.now().toString(36)}`;
  const reported: [string, number][] = [];
  const f = forwarder(
    { host: "127.0.0.1", port, protocol: "tcp", format: "rfc5424" },
    { maxQueue: 2, onDropped: (t, n) => reported.push([t, n]) },
  );
  for (let i = 1; i <= 5; i++) f.alert(alert(tenant, `${tenant}-n${i}`), "new");
  expect(f.stats().dropped).toBe(3);
  expect(reported).toEqual([
    [tenant, 1],
    [tenant, 1],
    [tenant, 1],
  ]);
  const late = await startRsyslog({ tcpPort: port });
  try {
    await f.idle(tenant);
    const lines = await waitUntil(
      "2 lines",
      () => late.lines().filter((l) => l.includes(tenant)),
      (l) => l.length >= 2,
    );
    expect(lines.map((l) => parseCef(l).extensions.cs5)).toEqual([`${tenant}-n4`, `${tenant}-n5`]);
  } finally {
    await late.stop();
  }
});

it("discards notifications of a tenant without a target, or with a disabled one", async () => {
  const none = forwarder(undefined);
  none.test("t-none");
  await none.idle();
  expect(none.stats()).toMatchObject({ sent: 0, discarded: 1 });
  const off = createSiemForwarder({
    targets: async () => ({ host: "127.0.0.1", port: rs.udpPort, protocol: "udp", format: "rfc5424", enabled: false }),
    log: () => {},
  });
  forwarders.push(off);
  off.test("t-off");
  await off.idle();
  expect(off.stats()).toMatchObject({ sent: 0, discarded: 1 });
});
