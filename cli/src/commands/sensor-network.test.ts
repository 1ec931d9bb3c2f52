import { describe, expect, it } from "vitest";
import { UsageError } from "./command.ts";
import { hasNetworkInput, takeNetworkArgs } from "./sensor-network.ts";

describe("vigil sensor network arguments", () => {
  it("takes --pcap (repeatable), --interface and --keytab and leaves the rest to the other sources", () => {
    const n = takeNetworkArgs([
      "--pcap",
      "a.pcap",
      "--follow",
      "--pcap",
      "dir",
      "--keytab",
      "k.keytab",
      "--samba-audit",
      "x",
      "--",
      "--pcap",
    ]);
    expect(n).toEqual({ pcap: ["a.pcap", "dir"], keytab: "k.keytab", rest: ["--follow", "--samba-audit", "x", "--", "--pcap"] });
    expect(hasNetworkInput(n)).toBe(true);
    expect(takeNetworkArgs(["-i", "eth0"])).toEqual({ pcap: [], interface: "eth0", rest: [] });
    expect(hasNetworkInput(takeNetworkArgs(["file.evtx"]))).toBe(false);
  });

  it.each([
    [["--pcap"], /--pcap needs a FILE or DIR/],
    [["--pcap", "--follow"], /--pcap needs a FILE or DIR/],
    [["--interface", "eth0", "--interface", "eth1"], /one --interface per sensor/],
    [["--keytab", "k.keytab", "file.evtx"], /--keytab is for --pcap/],
  ])("rejects %j", (args, message) => {
    expect(() => takeNetworkArgs(args)).toThrow(UsageError);
    expect(() => takeNetworkArgs(args)).toThrow(message);
  });
});
