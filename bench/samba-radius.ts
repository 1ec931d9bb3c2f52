/**
 * Samba audit and RADIUS accounting throughput: `node --import tsx bench/samba-radius.ts [RECORDS]`.
 * 1. The lab run's real Samba audit lines (datasets/samba-lab-run/samba-logs/auth.json.log, with
 *    its debug-free class format), repeated into one file of RECORDS lines (default 200 000), read
 *    and mapped once: lines/s and MB/s.
 * 2. The RADIUS server on 127.0.0.1 answering Accounting-Requests sent over real UDP in windows of
 *    64 in flight: requests/s answered (parse, MD5 authenticator check, mapping, response).
 */
import { createSocket } from "node:dgram";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { accountingRequest, startRadiusServer } from "../sensor/src/radius/index.ts";
import { createSambaMapStats, readSambaEvents } from "../sensor/src/samba/index.ts";

const SOURCE = "/work/shared/datasets/samba-lab-run/samba-logs/auth.json.log";
const records = Number(process.argv[2] ?? 200_000);
const lines = readFileSync(SOURCE, "utf8").split("\n").filter(Boolean);
const dir = mkdtempSync(join(tmpdir(), "vigil-bench-samba-"));
const file = join(dir, "auth.json.log");
// Timestamps stay as recorded: the reader's cost does not depend on them. Written in blocks so the
// bench itself holds no copy of the file while the reader's memory is measured.
writeFileSync(file, "");
for (let i = 0; i < records; i += 10_000)
  appendFileSync(file, Array.from({ length: Math.min(10_000, records - i) }, (_, j) => lines[(i + j) % lines.length]).join("\n") + "\n");
const bytes = statSync(file).size;
const stats = createSambaMapStats();
let drafts = 0;
let started = performance.now();
for await (const _ of readSambaEvents(file, { tenantId: "bench", sensorId: "bench", stats })) drafts++;
let seconds = (performance.now() - started) / 1000;
console.log(
  `samba: ${records} lines (${(bytes / 1048576).toFixed(1)} MiB) → ${drafts} events in ${seconds.toFixed(2)} s: ` +
    `${Math.round(records / seconds)} lines/s, ${(bytes / 1048576 / seconds).toFixed(1)} MB/s; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`,
);
rmSync(dir, { recursive: true, force: true });

const SECRET = "bench-secret";
let events = 0;
const server = await startRadiusServer({
  tenantId: "bench",
  sensorId: "bench",
  port: 0,
  host: "127.0.0.1",
  secrets: { default: SECRET },
  onEvent: () => void events++,
});
const client = createSocket("udp4");
const total = 20_000;
const window = 64;
let answered = 0;
let release: (() => void) | undefined;
client.on("message", () => {
  answered++;
  release?.();
});
const attr = (type: number, value: Buffer) => ({ type, value });
const int = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
started = performance.now();
for (let sent = 0; sent < total;) {
  while (sent < total && sent - answered < window) {
    const packet = accountingRequest(
      sent & 0xff,
      [
        attr(1, Buffer.from(`user${sent % 500}`)),
        attr(40, int(1)),
        attr(44, Buffer.from(`s-${sent}`)),
        attr(31, Buffer.from("203.0.113.7")),
        attr(4, Buffer.from([192, 0, 2, 1])),
      ],
      SECRET,
    );
    client.send(packet, server.port, "127.0.0.1");
    sent++;
  }
  // Wait for an answer (or a short timeout: UDP may drop under load) before refilling the window.
  await new Promise<void>((resolve) => {
    release = resolve;
    setTimeout(resolve, 50);
  });
}
while (answered < total && performance.now() - started < 30_000) await new Promise((r) => setTimeout(r, 20));
seconds = (performance.now() - started) / 1000;
console.log(
  `radius: ${total} Accounting-Requests over UDP, ${answered} answered, ${events} events in ${seconds.toFixed(2)} s: ${Math.round(answered / seconds)} requests/s`,
);
client.close();
await server.close();
