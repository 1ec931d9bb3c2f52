/**
 * SIEM export throughput: `node --import tsx bench/siem.ts [ALERTS]`.
 * 1. CEF + RFC 5424 rendering of alert notifications in memory (default 200 000): lines/s.
 * 2. The forwarder delivering ALERTS / 10 alerts to a real rsyslogd on 127.0.0.1 over TCP and over
 *    TLS (octet-counted), measured until rsyslog has written every line to its file: lines/s end to end.
 */
import { createSiemForwarder, formatCef } from "../stream-processor/src/index.ts";
import { alertRecord } from "../stream-processor/src/siem/records.ts";
import { syslogMessage } from "../stream-processor/src/siem/syslog.ts";
import { startRsyslog, waitUntil } from "../stream-processor/src/siem/rsyslog.fixture.ts";
import type { AlertPayload } from "../stream-processor/src/sinks/alert-writer.ts";

const total = Number(process.argv[2] ?? 200_000);
const alert = (i: number): AlertPayload => ({
  tenantId: "bench",
  id: `alert-${i}`,
  detectionId: "brute-force",
  severity: "high",
  status: "open",
  title: "Suspected brute-force attack (Kerberos, NTLM)",
  description: `Account ALICE${i % 100} had 40 failed logons from WS${i % 50} in 10 minutes; last failure 0xC000006A = bad password.`,
  primaryEntity: `account:alice${i % 100}`,
  entities: [
    { role: "source", kind: "computer", id: `ws${i % 50}.corp.example`, name: `ws${i % 50}` },
    { role: "target", kind: "user", id: `S-1-5-21-1-2-3-${1000 + (i % 100)}`, name: `alice${i % 100}` },
  ],
  mitre: ["T1110"],
  firstSeen: new Date(1_700_000_000_000 + i).toISOString(),
  lastSeen: new Date(1_700_000_000_000 + i).toISOString(),
  count: 40,
  recommendedActions: [],
});

const time = new Date();
let bytes = 0;
let started = performance.now();
for (let i = 0; i < total; i++) {
  const r = alertRecord(alert(i), "new");
  bytes += syslogMessage(formatCef(r), { format: "rfc5424", hostname: "vigil", msgId: r.classId, time }).length;
}
let seconds = (performance.now() - started) / 1000;
console.log(
  `render: ${total} alert lines (${(bytes / 1048576).toFixed(1)} MiB) in ${seconds.toFixed(2)} s: ${Math.round(total / seconds)} lines/s`,
);

const rs = await startRsyslog();
try {
  const n = Math.max(1, Math.floor(total / 10));
  for (const protocol of ["tcp", "tls"] as const) {
    const port = protocol === "tcp" ? rs.tcpPort : rs.tlsPort;
    const tenant = `bench-${protocol}`;
    const f = createSiemForwarder({
      targets: async () => ({ host: "127.0.0.1", port, protocol, format: "rfc5424", caPem: rs.caPem, serverName: "localhost" }),
      maxQueue: n,
      log: (l) => console.error(l),
    });
    const before = rs.lines().length;
    started = performance.now();
    for (let i = 0; i < n; i++) f.alert({ ...alert(i), tenantId: tenant }, "new");
    await f.idle(tenant);
    await waitUntil(
      `${n} ${protocol} lines`,
      () => rs.lines().length - before,
      (c) => c >= n,
      120_000,
    );
    seconds = (performance.now() - started) / 1000;
    const s = f.stats();
    console.log(
      `forward ${protocol}: ${n} alerts to rsyslogd in ${seconds.toFixed(2)} s: ${Math.round(n / seconds)} lines/s (sent ${s.sent}, dropped ${s.dropped}, failures ${s.failures})`,
    );
    await f.close();
  }
} finally {
  await rs.stop();
}
