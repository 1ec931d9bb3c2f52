import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { finalizeEvent, type VigilEvent } from "../contract/index.ts";
import type { ReadProblem } from "../windows/record.ts";
import { buildZip } from "../windows/fixtures/zip-writer.ts";
import { dcMixCapture } from "./fixtures/dc-mix.ts";
import { buildPcap, dnsMessage, ldapBindResponse, ldapSimpleBind, type FixturePacket } from "./fixtures/pcap-writer.ts";
import { createNetworkStats } from "./map.ts";
import { readNetworkEvents } from "./read.ts";

const DC = "10.0.0.10";
const dir = mkdtempSync(join(tmpdir(), "vigil-prefilter-"));

/** Events of a capture read with or without the prefilter, with problems and counters. */
async function read(file: string, prefilter: boolean, keytab?: string) {
  const stats = createNetworkStats();
  const problems: ReadProblem[] = [];
  const events: VigilEvent[] = [];
  for await (const d of readNetworkEvents(
    { file },
    { tenantId: "t1", sensorId: "s1", stats, prefilter, onProblem: (p) => problems.push(p), ...(keytab ? { keytab } : {}) },
  ))
    events.push(finalizeEvent(d));
  return { events, problems, stats };
}

/** DNS and LDAP exchanges, each preceded by frames no DC protocol uses (HTTPS, RDP, NTP). */
function mixed(count: number): FixturePacket[] {
  const packets: FixturePacket[] = [];
  for (let i = 0; i < count; i++) {
    const client = `10.1.0.${10 + i}`;
    const t = 1700000000 + i;
    packets.push({ time: t, src: client, dst: DC, sport: 50000 + i, dport: 443, proto: "tcp", payload: Buffer.alloc(200, 0x17) });
    packets.push({ time: t + 0.01, src: DC, dst: client, sport: 3389, dport: 51000 + i, proto: "tcp", payload: Buffer.alloc(60, 3) });
    packets.push({ time: t + 0.02, src: client, dst: DC, sport: 123, dport: 123, proto: "udp", payload: Buffer.alloc(48, 0x23) });
    if (i % 2 === 0) {
      packets.push({
        time: t + 0.1,
        src: client,
        dst: DC,
        sport: 40000 + i,
        dport: 53,
        proto: "udp",
        payload: dnsMessage(i, "corp.lab", 252),
      });
      packets.push({
        time: t + 0.2,
        src: DC,
        dst: client,
        sport: 53,
        dport: 40000 + i,
        proto: "udp",
        payload: dnsMessage(i, "corp.lab", 252, { rcode: 5 }),
      });
    } else {
      packets.push({
        time: t + 0.1,
        src: client,
        dst: DC,
        sport: 40000 + i,
        dport: 389,
        proto: "tcp",
        payload: ldapSimpleBind(1, `u${i}@corp.lab`, "pw"),
      });
      packets.push({ time: t + 0.2, src: DC, dst: client, sport: 389, dport: 40000 + i, proto: "tcp", payload: ldapBindResponse(1, 49) });
    }
  }
  return packets;
}

describe("prefilter before tshark", () => {
  it("drops what no mapper reads and changes no event: same ids, frames numbered as in the file", async () => {
    const file = join(dir, "mixed.pcap");
    writeFileSync(file, buildPcap(mixed(20)));
    const whole = await read(file, false);
    const filtered = await read(file, true);
    expect(filtered.stats).toMatchObject({ frames: 100, dropped: 60 });
    expect(filtered.problems).toEqual([]);
    expect(filtered.events).toEqual(whole.events);
    expect(filtered.events.map((e) => e.kind)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? "dns.query" : "ldap.bind")));
    // The first DNS query is the 4th frame of the file (after HTTPS, RDP and NTP), the first bind the 9th.
    expect(filtered.events.slice(0, 2).map((e) => e.origin.recordId)).toEqual(["4", "9"]);
  });

  it("streams zip members through it, and reports a member cut short with the packets before the cut", async () => {
    const capture = buildPcap(mixed(6));
    const zip = join(dir, "mixed.zip");
    writeFileSync(
      zip,
      buildZip([
        { name: "a.pcap", data: capture, deflate: true },
        { name: "cut.pcap", data: capture.subarray(0, capture.length - 10) },
      ]),
    );
    const { events, problems, stats } = await read(zip, true);
    expect(events.filter((e) => e.origin.channel === "mixed.zip!a.pcap")).toHaveLength(6);
    // The cut frame is the last bind response: that bind never got its result, so it is no event.
    const cut = events.filter((e) => e.origin.channel === "mixed.zip!cut.pcap");
    expect(cut.map((e) => e.kind)).toEqual(["dns.query", "ldap.bind", "dns.query", "ldap.bind", "dns.query"]);
    expect(problems).toEqual([expect.objectContaining({ file: `${zip}!cut.pcap`, reason: expect.stringMatching(/truncated/) })]);
    expect(stats.dropped).toBe(36);
  });

  it("reports a zip member whose compressed data is damaged, and keeps the packets inflated before the damage", async () => {
    const queries: FixturePacket[] = Array.from({ length: 400 }, (_, i) => ({
      time: 1700000000 + i,
      src: "10.1.0.1",
      dst: DC,
      sport: 40000 + i,
      dport: 53,
      proto: "udp",
      payload: dnsMessage(i, `h${i}.corp.lab`, 1),
    }));
    const zip = buildZip([{ name: "a.pcap", data: buildPcap(queries), deflate: true }]);
    const middle = Math.floor(zip.length / 2);
    zip.fill(0xff, middle, middle + 40);
    const file = join(dir, "damaged.zip");
    writeFileSync(file, zip);
    const { events, problems } = await read(file, true);
    expect(events.length).toBeGreaterThan(100);
    expect(events.length).toBeLessThan(400);
    expect(events.map((e) => e.origin.recordId).slice(0, 3)).toEqual(["1", "2", "3"]);
    expect(problems).toContainEqual(
      expect.objectContaining({
        file: `${file}!a.pcap`,
        reason: expect.stringMatching(/^capture is damaged \(member a\.pcap fails its integrity check/),
      }),
    );
    expect(problems).toContainEqual(expect.objectContaining({ reason: expect.stringMatching(/damaged or corrupt/) }));
  });
});

const LAB = new URL("../../../../shared/datasets/samba-lab-run/", import.meta.url).pathname;

describe.skipIf(!existsSync(`${LAB}lab.pcapng`))("prefilter on the Samba lab traffic", () => {
  it("gives the same events on the lab capture (pcapng, keytab) with and without it", async () => {
    const keytab = `${LAB}corp-all-keys.keytab`;
    const whole = await read(`${LAB}lab.pcapng`, false, keytab);
    const filtered = await read(`${LAB}lab.pcapng`, true, keytab);
    expect(filtered.events.length).toBeGreaterThan(100);
    expect(filtered.events).toEqual(whole.events);
    expect(filtered.problems).toEqual(whole.problems);
  });

  it("gives the same events on a busy-DC mix (the bench's input) while tshark sees a third fewer frames", async () => {
    const file = join(dir, "dc-mix.pcap");
    writeFileSync(file, dcMixCapture({ lab: readFileSync(`${LAB}lab.pcapng`), packets: 12000 }).pcap);
    const whole = await read(file, false);
    const filtered = await read(file, true);
    // 15% of the mix is no DC protocol, and about a quarter of the rest only acknowledges.
    expect(filtered.stats.dropped / filtered.stats.frames).toBeGreaterThan(0.3);
    expect(filtered.events.length).toBeGreaterThan(500);
    expect(filtered.events).toEqual(whole.events);
  });
});
