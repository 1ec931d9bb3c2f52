/**
 * Network source throughput: `npm run bench network` (or `node --import tsx bench/network.ts [copies]`).
 * 1. Whole source (tshark dissection + our parse + map + contract validation) on the Samba lab
 *    capture (`copies` runs, default 3), on a synthetic busy-DC capture (default 200k packets of DNS
 *    and LDAP binds), and on every sample capture.
 * 2. tshark alone with the same arguments (its output read and dropped): the dissection's share.
 * 3. Our parse + map alone over the recorded tshark lines, repeated for a few seconds.
 * 4. tshark `-T ek` (JSON per packet) against `-T fields` on the same file: why fields were chosen.
 * Packets/s counts every frame of the capture (what a sensor core must keep up with); the printed
 * lines are the DC-protocol packets the display filter keeps.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finalizeEvent } from "../sensor/src/contract/index.ts";
import { createNetworkStats, NetworkMapper } from "../sensor/src/network/map.ts";
import { parseLine } from "../sensor/src/network/fields.ts";
import { readNetworkEvents } from "../sensor/src/network/read.ts";
import { runTshark, tsharkArgs } from "../sensor/src/network/tshark.ts";
import { buildPcap, dnsMessage, ldapBindResponse, ldapSimpleBind, type FixturePacket } from "../sensor/src/network/fixtures/pcap-writer.ts";

const shared = new URL("../../shared/datasets/", import.meta.url).pathname;
const lab = `${shared}samba-lab-run/lab.pcapng`;
const keytab = `${shared}samba-lab-run/corp-all-keys.keytab`;
const samples = `${shared}attack-samples/`;
if (!existsSync(lab)) {
  console.error("lab capture not found (../shared/datasets/samba-lab-run/lab.pcapng)");
  process.exit(1);
}
const copies = Number(process.argv[2] ?? 3);
const syntheticPackets = Number(process.argv[3] ?? 200_000);

/** DNS query/response pairs and LDAP simple binds (answered 49), each on its own client port. */
function busyCapture(count: number): Buffer {
  const packets: FixturePacket[] = [];
  for (let i = 0; packets.length < count; i++) {
    const client = `10.1.${(i >> 8) & 255}.${i & 255}`;
    const port = 1024 + (i % 60000);
    const t = 1700000000 + i / 1000;
    if (i % 2 === 0) {
      packets.push({
        time: t,
        src: client,
        dst: "10.0.0.10",
        sport: port,
        dport: 53,
        proto: "udp",
        payload: dnsMessage(i & 0xffff, `host${i}.corp.lab`, 1),
      });
      packets.push({
        time: t + 0.0001,
        src: "10.0.0.10",
        dst: client,
        sport: 53,
        dport: port,
        proto: "udp",
        payload: dnsMessage(i & 0xffff, `host${i}.corp.lab`, 1, { rcode: 3 }),
      });
    } else {
      packets.push({
        time: t,
        src: client,
        dst: "10.0.0.10",
        sport: port,
        dport: 389,
        proto: "tcp",
        payload: ldapSimpleBind(1, `user${i}@corp.lab`, "x"),
      });
      packets.push({
        time: t + 0.0001,
        src: "10.0.0.10",
        dst: client,
        sport: 389,
        dport: port,
        proto: "tcp",
        payload: ldapBindResponse(1, 49),
      });
    }
  }
  return buildPcap(packets);
}
const work = mkdtempSync(join(tmpdir(), "vigil-bench-net-"));

const frames = (file: string) =>
  Number(/Number of packets:\s*(\d+)/.exec(execFileSync("capinfos", ["-c", "-M", file], { encoding: "utf8" }))?.[1] ?? 0);
const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString("en-US")}/s`;

async function wholeSource(file: string, withKeytab = false) {
  const stats = createNetworkStats();
  const started = performance.now();
  let events = 0;
  for await (const d of readNetworkEvents({ file }, { tenantId: "bench", sensorId: "bench", stats, ...(withKeytab ? { keytab } : {}) })) {
    finalizeEvent(d);
    events++;
  }
  return { seconds: (performance.now() - started) / 1000, events, lines: stats.packets };
}

async function tsharkOnly(file: string): Promise<{ seconds: number; lines: string[] }> {
  const started = performance.now();
  const lines: string[] = [];
  const run = runTshark({ file });
  for await (const line of run.lines) lines.push(line);
  await run.finished;
  return { seconds: (performance.now() - started) / 1000, lines };
}

function parseMap(lines: string[]): { seconds: number; lines: number; events: number } {
  let n = 0;
  let events = 0;
  const started = performance.now();
  while (performance.now() - started < 3000) {
    const mapper = new NetworkMapper({ tenantId: "bench", sensorId: "bench", capture: "bench" });
    for (const line of lines) {
      const p = parseLine(line);
      if (typeof p === "string") continue;
      for (const d of mapper.map(p)) {
        finalizeEvent(d);
        events++;
      }
    }
    for (const d of mapper.flush()) {
      finalizeEvent(d);
      events++;
    }
    n += lines.length;
  }
  return { seconds: (performance.now() - started) / 1000, lines: n, events };
}

function tsharkTimed(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("tshark", args, { stdio: ["ignore", "pipe", "ignore"] });
    child.stdout.on("data", () => undefined);
    child.on("error", reject);
    child.on("close", () => resolve((performance.now() - started) / 1000));
  });
}

try {
  // One capture read `copies` times, one tshark each: a capture joined to copies of itself (mergecap -a)
  // would replay the same TCP streams, which tshark treats as retransmissions and does not dissect again.
  const total = frames(lab);
  const empty = join(work, "empty.pcapng");
  execFileSync("editcap", ["-r", lab, empty, "0"]);
  const startup = (await tsharkOnly(empty)).seconds;
  console.log(`tshark start-up (an empty capture): ${startup.toFixed(2)} s per run; lab.pcapng has ${total} frames`);
  console.log("(other helpers load this 2-core machine while the bench runs: figures are noisy, lower than on an idle core)");
  // Real protocols: the lab capture, whole source, `copies` runs (start-up included: the file is small).
  let labSeconds = 0;
  let labEvents = 0;
  for (let i = 0; i < copies; i++) {
    const r = await wholeSource(lab, true);
    labSeconds += r.seconds;
    labEvents += r.events;
  }
  console.log(`lab.pcapng with keytab, whole source: ${(labSeconds / copies).toFixed(2)} s per run, ${labEvents / copies} events per run`);

  // Volume: a synthetic busy-DC capture of distinct DNS and LDAP bind exchanges (a capture joined to
  // copies of itself would replay the same TCP streams, which tshark skips as retransmissions).
  const synthetic = join(work, "busy.pcap");
  writeFileSync(synthetic, busyCapture(syntheticPackets));
  const whole = await wholeSource(synthetic);
  const dissect = await tsharkOnly(synthetic);
  const n = syntheticPackets;
  const busy = (sec: number) => Math.max(sec - startup, 0.001);
  console.log(`synthetic capture: ${n} packets (${(statSync(synthetic).size / 1048576).toFixed(1)} MiB)`);
  console.log(
    `  whole source (tshark + parse + map + validate): ${rate(n, whole.seconds)} packets (${rate(n, busy(whole.seconds))} without start-up), ${rate(whole.events, busy(whole.seconds))} events`,
  );
  console.log(
    `  tshark alone (output read and dropped):         ${rate(n, dissect.seconds)} packets (${rate(n, busy(dissect.seconds))} without start-up)`,
  );
  const ours = parseMap(dissect.lines);
  console.log(
    `  parse + map + validate alone (recorded lines):  ${rate(ours.lines, ours.seconds)} packets, ${rate(ours.events, ours.seconds)} events`,
  );

  const fieldsArgs = tsharkArgs({ file: lab });
  const ekArgs = [
    ...fieldsArgs.slice(0, fieldsArgs.indexOf("-T")),
    "-T",
    "ek",
    ...fieldsArgs.filter((a, i, list) => a === "-e" || list[i - 1] === "-e"),
  ];
  let fieldsS = 0;
  let ekS = 0;
  for (let i = 0; i < copies; i++) {
    fieldsS += await tsharkTimed(fieldsArgs);
    ekS += await tsharkTimed(ekArgs);
  }
  console.log(`tshark -T fields ${(fieldsS / copies).toFixed(2)} s vs -T ek with the same fields ${(ekS / copies).toFixed(2)} s per run`);

  if (existsSync(samples)) {
    let sFrames = 0;
    let sEvents = 0;
    let sSeconds = 0;
    for (const dir of readdirSync(samples)) {
      const path = join(samples, dir);
      if (!statSync(path).isDirectory()) continue;
      for (const name of readdirSync(path)) {
        if (!/network|\.cap$|\.pcap$/.test(name)) continue;
        const r = await wholeSource(join(path, name));
        sEvents += r.events;
        sSeconds += r.seconds;
        sFrames += r.lines;
      }
    }
    console.log(
      `attack-samples captures (one tshark start each): ${sSeconds.toFixed(2)} s, ${sFrames} DC-protocol packets, ${sEvents} events (tshark start-up dominates small files)`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
