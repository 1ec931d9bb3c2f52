import { describe, expect, it } from "vitest";
import { all, FIELDS, first, last, parseLine, principalNames, toNum, type Packet } from "./fields.ts";
import { tsharkLine } from "./fixtures/lines.ts";

describe("tshark field line parser", () => {
  it("reads frame, capture time with microseconds, endpoints and every occurrence in wire order", () => {
    const p = parseLine(
      tsharkLine(154, "1600742353.126810000", {
        "ip.src": "172.18.39.6",
        "ip.dst": "172.18.38.5",
        "tcp.srcport": "53650",
        "tcp.dstport": "88",
        "tcp.stream": "3",
        "kerberos.SNameString": ["krbtgt", "theshire.local"],
        "kerberos.padata_type": ["2", "128"],
      }),
    ) as Packet;
    expect(p).toMatchObject({
      frame: 154,
      time: "2020-09-22T02:39:13.126810Z",
      src: "172.18.39.6",
      dst: "172.18.38.5",
      srcPort: 53650,
      dstPort: 88,
      stream: 3,
    });
    expect(p.timeMs).toBeCloseTo(1600742353126.81, 2);
    expect(all(p, "kerberos.SNameString")).toEqual(["krbtgt", "theshire.local"]);
    expect(first(p, "kerberos.padata_type")).toBe("2");
    expect(last(p, "kerberos.padata_type")).toBe("128");
    expect(all(p, "kerberos.etype")).toEqual([]);
  });

  it("keeps commas inside values (DNs), which tshark's default aggregator would split", () => {
    const p = parseLine(tsharkLine(1, "1.5", { "ldap.baseObject": "CN=Domain Admins,CN=Users,DC=corp,DC=lab" })) as Packet;
    expect(first(p, "ldap.baseObject")).toBe("CN=Domain Admins,CN=Users,DC=corp,DC=lab");
    expect(p.time).toBe("1970-01-01T00:00:01.500000Z");
  });

  it("takes UDP ports and IPv6 addresses when there is no TCP / IPv4", () => {
    const p = parseLine(
      tsharkLine(2, "1700000000", { "ipv6.src": "fe80::1", "ipv6.dst": "fe80::2", "udp.srcport": "5353", "udp.dstport": "53" }),
    ) as Packet;
    expect(p).toMatchObject({ src: "fe80::1", dst: "fe80::2", srcPort: 5353, dstPort: 53 });
    expect(p.stream).toBeUndefined();
  });

  it.each([
    ["a cut line (too few columns)", "12\t1600742353.1\t10.0.0.1", /expected \d+ tab-separated fields, got 3/],
    [
      "a value that carried a TAB (too many columns)",
      `${tsharkLine(3, "1.0", { "ldap.name": "x" })}\textra`,
      /expected \d+ tab-separated fields/,
    ],
    ["no frame number", tsharkLine(1, "1.0", {}).replace(/^1\t/, "x\t"), /bad frame number "x"/],
    ["a capture time that is not a number", tsharkLine(4, "Sep 12, 2020", {}), /frame 4: bad capture time/],
  ])("rejects %s with a reason", (_name, line, reason) => {
    expect(parseLine(line)).toMatch(reason);
  });

  it("asks for every field once", () => {
    expect(new Set(FIELDS).size).toBe(FIELDS.length);
  });

  it("rebuilds Kerberos principal names from flat components and their counts", () => {
    expect(principalNames(["krbtgt", "CORP.LAB", "cifs", "dc1.corp.lab"], [2, 2])).toEqual(["krbtgt/CORP.LAB", "cifs/dc1.corp.lab"]);
    expect(principalNames(["alice"], [1])).toEqual(["alice"]);
    // Counts that promise more components than there are stop at the last complete name.
    expect(principalNames(["a", "b", "c"], [2, 2])).toEqual(["a/b"]);
    expect(principalNames(["svc", "host"], [])).toEqual(["svc/host"]);
  });

  it("reads numbers in decimal and 0x-hex, nothing else", () => {
    expect([toNum("25"), toNum("0xc000006d"), toNum("-135"), toNum("abc"), toNum(undefined)]).toEqual([
      25,
      0xc000006d,
      -135,
      undefined,
      undefined,
    ]);
  });
});
