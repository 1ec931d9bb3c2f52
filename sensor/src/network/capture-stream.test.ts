import { describe, expect, it } from "vitest";
import { CaptureFilter, FrameMap } from "./capture-stream.ts";
import { keepsFrame, keepsTcp, keepsUdp } from "./prefilter.ts";

const mac = Buffer.from("020000000001020000000002", "hex");
const be16 = (n: number) => Buffer.from([n >> 8, n & 255]);

/** An IPv4 packet: protocol, ports (TCP / UDP) and the flags/fragment-offset word. */
function ipv4(proto: number, sport: number, dport: number, fragment = 0x4000): Buffer {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(28, 2);
  ip.writeUInt16BE(fragment, 6);
  ip[9] = proto;
  return Buffer.concat([ip, be16(sport), be16(dport), Buffer.alloc(4)]);
}

function ipv6(next: number, l4: Buffer): Buffer {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h[6] = next;
  return Buffer.concat([h, l4]);
}

const eth = (type: number, payload: Buffer) => Buffer.concat([mac, be16(type), payload]);
const tcp = (s: number, d: number) => eth(0x0800, ipv4(6, s, d));
const udp = (s: number, d: number) => eth(0x0800, ipv4(17, s, d));

/** Classic pcap of the frames (one link type), little- or big-endian. */
function pcap(frames: Buffer[], link = 1, bigEndian = false): Buffer {
  const w32 = (n: number) => {
    const b = Buffer.alloc(4);
    if (bigEndian) b.writeUInt32BE(n);
    else b.writeUInt32LE(n);
    return b;
  };
  const w16 = (n: number) => (bigEndian ? be16(n) : Buffer.from([n & 255, n >> 8]));
  const header = Buffer.concat([w32(0xa1b2c3d4), w16(2), w16(4), w32(0), w32(0), w32(65535), w32(link)]);
  return Buffer.concat([header, ...frames.flatMap((f, i) => [w32(1700000000 + i), w32(0), w32(f.length), w32(f.length), f])]);
}

/** A little-endian pcapng block with its body padded to 4 bytes. */
function block(type: number, body: Buffer): Buffer {
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(padded.length + 12);
  const t = Buffer.alloc(4);
  t.writeUInt32LE(type);
  return Buffer.concat([t, len, padded, len]);
}
const le32 = (...ns: number[]) => Buffer.concat(ns.map((n) => Buffer.from([n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24])));
const shb = () => block(0x0a0d0d0a, Buffer.concat([le32(0x1a2b3c4d), Buffer.from([1, 0, 0, 0]), Buffer.alloc(8, 0xff)]));
const idb = (link: number) => block(1, Buffer.concat([Buffer.from([link & 255, link >> 8, 0, 0]), le32(65535)]));
const epb = (f: Buffer, iface = 0) => block(6, Buffer.concat([le32(iface, 0, 0, f.length, f.length), f]));
const spb = (f: Buffer) => block(3, Buffer.concat([le32(f.length), f]));

/** Runs bytes through a filter in chunks of `size`; returns the output and the filter. */
function filter(bytes: Buffer, size = bytes.length) {
  const f = new CaptureFilter();
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(...f.push(bytes.subarray(at, at + size)));
  out.push(...f.end());
  return { out: Buffer.concat(out), f };
}

describe("what the prefilter keeps (headers only)", () => {
  it.each([
    ["Kerberos", true, tcp(50000, 88)],
    ["LDAP answer", true, tcp(389, 50000)],
    ["SMB", true, tcp(49800, 445)],
    ["dynamic RPC from a Windows client", true, tcp(49700, 49668)],
    ["dynamic RPC from a Linux client", true, tcp(40000, 49668)],
    ["HTTP (NTLM in headers)", true, tcp(50000, 80)],
    ["WinRM over HTTP", true, tcp(50000, 5985)],
    ["HTTPS", false, tcp(50000, 443)],
    ["RDP", false, tcp(3389, 50000)],
    ["DNS", true, udp(50000, 53)],
    ["LLMNR", true, udp(50000, 5355)],
    ["NTP", false, udp(123, 123)],
    ["syslog", false, udp(50000, 514)],
    ["ICMP echo", false, eth(0x0800, ipv4(1, 0, 0))],
    ["ARP", false, eth(0x0806, Buffer.alloc(28))],
    ["802.3 LLC (spanning tree)", false, eth(0x0026, Buffer.alloc(38))],
    ["an IPv4 fragment (no ports to judge)", true, eth(0x0800, ipv4(17, 9999, 9999, 0x2000))],
    ["a later IPv4 fragment", true, eth(0x0800, ipv4(17, 9999, 9999, 0x00b9))],
    ["GRE (tunnelled: tshark judges)", true, eth(0x0800, ipv4(47, 0, 0))],
    ["a VLAN-tagged HTTPS frame", false, Buffer.concat([mac, be16(0x8100), be16(7), be16(0x0800), ipv4(6, 50000, 443)])],
    ["a VLAN-tagged Kerberos frame", true, Buffer.concat([mac, be16(0x8100), be16(7), be16(0x0800), ipv4(17, 50000, 88)])],
    ["IPv6 LDAP", true, eth(0x86dd, ipv6(6, Buffer.concat([be16(50000), be16(389)])))],
    [
      "IPv6 HTTPS behind a hop-by-hop header",
      false,
      eth(0x86dd, ipv6(0, Buffer.concat([Buffer.from([6, 0]), Buffer.alloc(6), be16(50000), be16(443)]))),
    ],
    ["an IPv6 fragment", true, eth(0x86dd, ipv6(44, Buffer.alloc(8)))],
    ["ICMPv6", false, eth(0x86dd, ipv6(58, Buffer.alloc(8)))],
    ["a frame cut inside the IP header", true, eth(0x0800, Buffer.alloc(6))],
    ["an unknown ethertype (PPPoE)", true, eth(0x8864, Buffer.alloc(20))],
  ])("%s: kept %s", (_name, kept, frame) => {
    expect(keepsFrame(1, frame)).toBe(kept);
  });

  it("drops TCP segments that only acknowledge, and keeps SYN, FIN, RST and any with payload", () => {
    /** An IPv4 / TCP segment to LDAP with flags, payload bytes and (optionally) a forced IP total length. */
    const segment = (flags: number, payload: number, total?: number) => {
      const ip = Buffer.alloc(20);
      ip[0] = 0x45;
      ip.writeUInt16BE(total ?? 40 + payload, 2);
      ip.writeUInt16BE(0x4000, 6);
      ip[9] = 6;
      const tcp = Buffer.alloc(20);
      tcp.writeUInt16BE(50000, 0);
      tcp.writeUInt16BE(389, 2);
      tcp[12] = 0x50;
      tcp[13] = flags;
      // Ethernet pads short frames to 60 bytes: the IP length, not the captured one, says what is payload.
      return eth(0x0800, Buffer.concat([ip, tcp, Buffer.alloc(payload), Buffer.alloc(6)]));
    };
    expect(keepsFrame(1, segment(0x10, 0))).toBe(false);
    expect([0x02, 0x12, 0x11, 0x04].map((flags) => keepsFrame(1, segment(flags, 0)))).toEqual([true, true, true, true]);
    expect(keepsFrame(1, segment(0x18, 1))).toBe(true);
    expect(keepsFrame(1, segment(0x10, 0, 0))).toBe(true);
    const v6 = Buffer.alloc(40);
    v6[0] = 0x60;
    v6.writeUInt16BE(20, 4);
    v6[6] = 6;
    const ack6 = Buffer.concat([be16(50000), be16(445), Buffer.alloc(8), Buffer.from([0x50, 0x10]), Buffer.alloc(6)]);
    expect(keepsFrame(1, eth(0x86dd, Buffer.concat([v6, ack6])))).toBe(false);
  });

  it("reads Linux cooked (SLL, SLL2), raw IP and loopback framing, and keeps unknown link types", () => {
    const https = ipv4(6, 50000, 443);
    const ldap = ipv4(6, 50000, 389);
    const sll = (ip: Buffer) => Buffer.concat([Buffer.alloc(14), be16(0x0800), ip]);
    const sll2 = (ip: Buffer) => Buffer.concat([be16(0x0800), Buffer.alloc(18), ip]);
    expect([keepsFrame(113, sll(https)), keepsFrame(113, sll(ldap))]).toEqual([false, true]);
    expect([keepsFrame(276, sll2(https)), keepsFrame(276, sll2(ldap))]).toEqual([false, true]);
    expect([keepsFrame(101, https), keepsFrame(228, ldap)]).toEqual([false, true]);
    expect(keepsFrame(0, Buffer.concat([Buffer.from([2, 0, 0, 0]), https]))).toBe(false);
    expect(keepsFrame(105, https)).toBe(true);
  });

  it("keeps TCP that may be dynamic RPC, and registered services with a Windows client port out", () => {
    expect([keepsTcp(49152, 49153), keepsTcp(32768, 49152), keepsTcp(5000, 49152), keepsTcp(1433, 50000)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect([keepsUdp(138, 138), keepsUdp(49152, 49153)]).toEqual([true, false]);
  });
});

describe("CaptureFilter", () => {
  const frames = [tcp(50000, 443), udp(50001, 53), udp(53, 50001), eth(0x0806, Buffer.alloc(28)), tcp(50002, 389), tcp(50000, 443)];
  const kept = [frames[1]!, frames[2]!, frames[4]!];

  it("forwards a pcap minus the dropped frames, whatever the chunk size, and maps tshark's numbers back", () => {
    for (const size of [1, 7, 64, 100000]) {
      const { out, f } = filter(pcap(frames), size);
      expect(out.equals(Buffer.concat([pcap([]), ...recordsOf(pcap(frames), [1, 2, 4])]))).toBe(true);
      expect(f.stats).toEqual({ frames: 6, dropped: 3 });
      expect([1, 2, 3].map((n) => f.frames.original(n))).toEqual([2, 3, 5]);
    }
  });

  it("reads big-endian pcap", () => {
    const { out, f } = filter(pcap(frames, 1, true), 5);
    expect(f.stats).toEqual({ frames: 6, dropped: 3 });
    expect(out.length).toBe(24 + kept.reduce((n, k) => n + 16 + k.length, 0));
  });

  it("forwards pcapng section, interface and other non-packet blocks, judging enhanced and simple packets", () => {
    const nrb = block(4, Buffer.alloc(4));
    const bytes = Buffer.concat([shb(), idb(1), epb(frames[0]!), nrb, epb(frames[1]!), spb(frames[5]!), spb(frames[4]!)]);
    const { out, f } = filter(bytes, 13);
    expect(f.stats).toEqual({ frames: 4, dropped: 2 });
    expect(out.equals(Buffer.concat([shb(), idb(1), nrb, epb(frames[1]!), spb(frames[4]!)]))).toBe(true);
    expect([f.frames.original(1), f.frames.original(2)]).toEqual([2, 4]);
  });

  it("gives up at a block type it does not know and forwards the rest unjudged, numbering on from there", () => {
    const bytes = Buffer.concat([
      shb(),
      idb(1),
      epb(frames[0]!),
      epb(frames[1]!),
      block(0x204, Buffer.alloc(8)),
      epb(frames[0]!),
      epb(frames[0]!),
    ]);
    const { out, f } = filter(bytes, 9);
    expect(f.stats).toMatchObject({ frames: 2, dropped: 1, gaveUp: "pcapng block type 0x204" });
    expect(out.equals(Buffer.concat([shb(), idb(1), bytes.subarray(shb().length + idb(1).length + epb(frames[0]!).length)]))).toBe(true);
    // tshark's 1 is the second frame; whatever follows is numbered as in the file from the third on.
    expect([1, 2, 3].map((n) => f.frames.original(n))).toEqual([2, 3, 4]);
  });

  it("forwards a record cut by the end of the file, so tshark reports the truncation", () => {
    const whole = pcap(frames.slice(0, 3));
    const { out, f } = filter(whole.subarray(0, whole.length - 5));
    expect(f.stats).toEqual({ frames: 2, dropped: 1 });
    expect(
      out
        .subarray(out.length - (16 + frames[2]!.length - 5))
        .equals(whole.subarray(whole.length - (16 + frames[2]!.length), whole.length - 5)),
    ).toBe(true);
  });

  it("forwards everything after a record length no capture has (tshark calls it damage)", () => {
    const bad = Buffer.concat([pcap(frames.slice(0, 2)), Buffer.from("ffffffffffffffffffffffffffffffff", "hex"), frames[0]!]);
    const { out, f } = filter(bad, 3);
    expect(f.stats).toMatchObject({ frames: 2, dropped: 1, gaveUp: expect.stringMatching(/record of \d+ bytes/) });
    expect(out.subarray(out.length - 16 - frames[0]!.length).equals(bad.subarray(bad.length - 16 - frames[0]!.length))).toBe(true);
  });

  it("passes bytes that are no capture through untouched", () => {
    const { out, f } = filter(Buffer.from("hello, I am text"), 4);
    expect(out.toString()).toBe("hello, I am text");
    expect(f.stats.gaveUp).toMatch(/not a pcap/);
  });
});

describe("FrameMap", () => {
  it("maps increasing tshark numbers to the original ones across gaps, and is the identity with none", () => {
    const m = new FrameMap();
    for (const n of [1, 2, 5, 6, 7, 10]) m.forward(n);
    expect([1, 2, 3, 4, 5, 6].map((n) => m.original(n))).toEqual([1, 2, 5, 6, 7, 10]);
    expect(new FrameMap().original(42)).toBe(42);
  });
});

/** The record bytes (16-byte header + frame) of the given 0-based records of a little-endian pcap. */
function recordsOf(file: Buffer, which: number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 24;
  for (let i = 0; at < file.length; i++) {
    const len = 16 + file.readUInt32LE(at + 8);
    if (which.includes(i)) out.push(file.subarray(at, at + len));
    at += len;
  }
  return out;
}
