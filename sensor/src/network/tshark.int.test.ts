import { createSocket } from "node:dgram";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EventDraft } from "../contract/index.ts";
import { finalizeEvent } from "../contract/index.ts";
import { readAnyEvents } from "../sources.ts";
import type { ReadProblem } from "../windows/record.ts";
import { buildZip } from "../windows/fixtures/zip-writer.ts";
import { buildPcap, dnsMessage, ldapBindResponse, ldapSimpleBind, type FixturePacket } from "./fixtures/pcap-writer.ts";
import { createNetworkStats } from "./map.ts";
import { readNetworkEvents, sniffCapture, type ReadNetworkOptions } from "./read.ts";
import { TsharkMissingError } from "./tshark.ts";

const ATTACKER = "10.0.0.66";
const DC = "10.0.0.10";
const PACKETS: FixturePacket[] = [
  { time: 1700000000.1, src: ATTACKER, dst: DC, sport: 40000, dport: 53, proto: "udp", payload: dnsMessage(0x1234, "corp.lab", 252) },
  {
    time: 1700000000.2,
    src: DC,
    dst: ATTACKER,
    sport: 53,
    dport: 40000,
    proto: "udp",
    payload: dnsMessage(0x1234, "corp.lab", 252, { rcode: 5 }),
  },
  {
    time: 1700000001.0,
    src: ATTACKER,
    dst: DC,
    sport: 40001,
    dport: 389,
    proto: "tcp",
    payload: ldapSimpleBind(1, "eve@corp.lab", "Eve#Pass2024"),
  },
  { time: 1700000001.1, src: DC, dst: ATTACKER, sport: 389, dport: 40001, proto: "tcp", payload: ldapBindResponse(1, 49) },
];
const dir = mkdtempSync(join(tmpdir(), "vigil-net-"));
const write = (name: string, bytes: Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

async function read(file: string, extra: Partial<ReadNetworkOptions> = {}) {
  const problems: ReadProblem[] = [];
  const stats = createNetworkStats();
  const drafts: EventDraft[] = [];
  for await (const d of readNetworkEvents(
    { file },
    { tenantId: "t1", sensorId: "s1", stats, onProblem: (p) => problems.push(p), ...extra },
  )) {
    finalizeEvent(d);
    drafts.push(d);
  }
  return { drafts, problems, stats };
}

describe("network source through the real tshark", () => {
  it("dissects a capture written here: a refused zone transfer and a failed clear-text LDAP bind", async () => {
    const { drafts, problems, stats } = await read(write("lab.pcap", buildPcap(PACKETS)));
    expect(problems).toEqual([]);
    expect(stats).toMatchObject({ packets: 4, drafts: 2 });
    expect(drafts).toMatchObject([
      {
        kind: "dns.query",
        qname: "corp.lab",
        qtype: "AXFR",
        rcode: 5,
        src: { ip: ATTACKER },
        origin: { format: "pcap", recordId: "1", channel: "lab.pcap" },
      },
      {
        kind: "ldap.bind",
        bindType: "simple",
        result: 49,
        actor: { name: "eve", domain: "corp.lab" },
        time: "2023-11-14T22:13:21.000000Z",
      },
    ]);
    expect(JSON.stringify(drafts)).not.toContain("Eve#Pass2024");
  });

  it("reports a capture cut in the middle of a packet and keeps the packets before the damage", async () => {
    const whole = buildPcap(PACKETS);
    const { drafts, problems } = await read(write("cut.pcap", whole.subarray(0, whole.length - 10)));
    expect(problems).toEqual([
      expect.objectContaining({ file: expect.stringMatching(/cut\.pcap$/), reason: expect.stringMatching(/truncated/) }),
    ]);
    // The DNS exchange is whole; the bind request is there, its response is the damaged packet.
    expect(drafts.map((d) => d.kind)).toEqual(["dns.query"]);
  });

  it("reads every capture in a zip (extracted, then removed) and reports members that are not captures", async () => {
    const zip = write(
      "samples.zip",
      buildZip([
        { name: "notes.txt", data: Buffer.from("not a capture") },
        { name: "a.pcap", data: buildPcap(PACKETS.slice(0, 2)), deflate: true },
        { name: "b.pcap", data: buildPcap(PACKETS.slice(2)) },
      ]),
    );
    expect(await sniffCapture(zip)).toBe("zip");
    const { drafts, problems } = await read(zip);
    expect(problems).toEqual([expect.objectContaining({ file: `${zip}!notes.txt`, reason: expect.stringMatching(/not a capture/) })]);
    expect(drafts.map((d) => [d.kind, d.origin.channel])).toEqual([
      ["dns.query", "samples.zip!a.pcap"],
      ["ldap.bind", "samples.zip!b.pcap"],
    ]);
  });

  it("reports a file that is not a capture, and reads nothing from it", async () => {
    const { drafts, problems } = await read(write("junk.pcap", Buffer.from("hello, I am text")));
    expect(drafts).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ reason: expect.stringMatching(/not a pcap/) })]);
  });

  it("reports garbage after a valid pcap header as tshark's error, without throwing", async () => {
    const header = buildPcap([]);
    const { drafts, problems } = await read(
      write("garbage.pcap", Buffer.concat([header, Buffer.from("ffffffffffffffffffffffffffffffff", "hex")])),
    );
    expect(drafts).toEqual([]);
    expect(problems.length).toBeGreaterThan(0);
  });

  it("throws a clear error when tshark is not installed", async () => {
    await expect(read(write("x.pcap", buildPcap(PACKETS)), { tshark: "/nonexistent/tshark" })).rejects.toBeInstanceOf(TsharkMissingError);
  });

  it("is what readAnyEvents picks for a capture, by content whatever its name", async () => {
    const file = write("capture.evtx", buildPcap(PACKETS));
    const kinds: string[] = [];
    for await (const d of readAnyEvents(file, { tenantId: "t1", sensorId: "s1" })) kinds.push(d.kind);
    expect(kinds).toEqual(["dns.query", "ldap.bind"]);
  });
});

// Capturing needs root (or dumpcap's capabilities); elsewhere the live test cannot run.
describe.skipIf(process.getuid?.() !== 0)("network source on a live interface", () => {
  it("captures loopback DNS with the capture filter until aborted, then flushes the unanswered queries", async () => {
    const abort = new AbortController();
    const problems: ReadProblem[] = [];
    const drafts: EventDraft[] = [];
    const reading = (async () => {
      for await (const d of readNetworkEvents(
        { interface: "lo" },
        { tenantId: "t1", sensorId: "s1", signal: abort.signal, captureFilter: "udp port 53", onProblem: (p) => problems.push(p) },
      ))
        drafts.push(d);
    })();
    // tshark takes seconds to start capturing on a loaded machine: queries go out twice, 3 s apart.
    const socket = createSocket("udp4");
    for (const wait of [3000, 3000]) {
      await new Promise((r) => setTimeout(r, wait));
      for (let i = 0; i < 3; i++) socket.send(dnsMessage(100 + i, "live.corp.lab", 252), 53, "127.0.0.1");
    }
    await new Promise((r) => setTimeout(r, 2000));
    socket.close();
    abort.abort();
    await reading;
    expect(problems).toEqual([]);
    expect(drafts.length).toBeGreaterThanOrEqual(1);
    expect(drafts[0]).toMatchObject({
      kind: "dns.query",
      qname: "live.corp.lab",
      qtype: "AXFR",
      origin: { channel: expect.stringMatching(/^lo@/) },
    });
  });
});

const SAMPLES = new URL("../../../../shared/datasets/attack-samples/", import.meta.url).pathname;
const LAB = new URL("../../../../shared/datasets/samba-lab-run/", import.meta.url).pathname;

describe.skipIf(!existsSync(SAMPLES))("network source on the public attack samples", () => {
  it("sees DCSync (DsGetNCChanges from a workstation) in the OTRF Empire capture", async () => {
    const { drafts } = await read(`${SAMPLES}dcsync/otrf__network__empire_dcsync_dcerpc_drsuapi_DsGetNCChanges.zip`);
    expect(drafts).toContainEqual(
      expect.objectContaining({ kind: "replication", operation: "DsGetNCChanges", src: expect.objectContaining({ ip: "172.18.39.5" }) }),
    );
  });

  it("sees the Zerologon brute force as hundreds of failed NetrServerAuthenticate2", async () => {
    const { drafts } = await read(`${SAMPLES}zerologon/otrf__network__mimikatz_CVE-2020-1472_Unauthenticated_NetrServerAuthenticate2.zip`);
    const failed = drafts.filter((d) => d.kind === "netlogon" && d.operation === "NetrServerAuthenticate2" && d.result !== 0);
    expect(failed.length).toBeGreaterThan(100);
  });

  it("sees the services SharpSC (CreateServiceA, raw stub) and Empire smbexec (CreateServiceW) ask for", async () => {
    const sharpsc = await read(`${SAMPLES}remote_service_creation/otrf__network__covenant_sharpsc_create_dcerpc_smb_svcctl.zip`);
    expect(sharpsc.drafts.filter((d) => d.kind === "service.install")).toMatchObject([
      { serviceName: "Cyb3rWard0g", imagePath: "C:\\Windows\\System32\\GruntHTTP2.exe", src: { ip: "172.18.39.5" } },
    ]);
    const smbexec = await read(`${SAMPLES}remote_service_creation/otrf__network__empire_smbexec_dcerpc_smb_svcctl.zip`);
    const installs = smbexec.drafts.filter((d) => d.kind === "service.install");
    // The zip holds the capture of both ends: one request, seen twice.
    expect(installs.map((d) => d.serviceName)).toEqual(["PGUJLOAKFQFVOMHGFQPX", "PGUJLOAKFQFVOMHGFQPX"]);
    expect(installs[0]).toMatchObject({ actor: { name: "pgustavo" }, startType: "demand start" });
    expect((installs[0] as { imagePath?: string }).imagePath).toMatch(/^%COMSPEC% \/C .*powershell -noP -sta -w 1 -enc/);
  });
});

describe.skipIf(!existsSync(`${LAB}lab.pcapng`))("network source on the Samba lab capture", () => {
  it("opens tickets with the keytab: the golden ticket's TGT lasts ten years and lacks UPN_DNS_INFO", async () => {
    const { drafts } = await read(`${LAB}lab.pcapng`, { keytab: `${LAB}corp-all-keys.keytab` });
    const forged = drafts.filter((d) => d.kind === "kerberos.tgs" && d.tgtEndTime?.startsWith("203"));
    expect(forged.length).toBeGreaterThan(0);
    expect(forged[0]).toMatchObject({ actor: { name: "Administrator" }, src: { ip: "10.99.0.66" } });
    expect((forged[0] as { tgtPacTypes?: number[] }).tgtPacTypes).not.toContain(12);
  });

  it("without the keytab sees no ticket contents", async () => {
    const { drafts } = await read(`${LAB}lab.pcapng`);
    expect(drafts.some((d) => d.kind === "kerberos.tgs" && d.tgtEndTime)).toBe(false);
    expect(drafts.some((d) => d.kind === "replication")).toBe(true);
  });
});
