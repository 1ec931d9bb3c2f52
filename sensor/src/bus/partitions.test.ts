import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { assertPartitionCount, parseProbeReply, partitionedSubject, partitionFilter, partitionOf, unpartition } from "./partitions.ts";

const root = new URL("../../../", import.meta.url);

describe("partition subjects", () => {
  it("hashes like nats-server's partition(): FNV-1a 32 of the tenant, mod P", () => {
    // Read off nats-server 2.9.10 with `{{partition(64,1)}}` (the probe checks this on every processor start).
    expect(
      [
        ["acme", 47],
        ["t1", 22],
        ["bus-abc-123", 21],
        ["tenant-42", 2],
        ["x", 7],
      ].map(([t]) => partitionOf(t as string, 64)),
    ).toEqual([47, 22, 21, 2, 7]);
    expect(partitionOf("acme", 1)).toBe(0);
  });

  it("inserts and removes the partition token for one- and two-token kinds, and leaves other subjects alone", () => {
    expect(partitionedSubject("vigil.events.acme.logon", 64)).toBe("vigil.events.acme.47.logon");
    expect(partitionedSubject("vigil.events.acme.kerberos.tgs", 64)).toBe("vigil.events.acme.47.kerberos.tgs");
    expect(unpartition("vigil.events.acme.47.kerberos.tgs")).toEqual({ subject: "vigil.events.acme.kerberos.tgs", partition: 47 });
    expect(unpartition("vigil.events.acme.47.logon")).toEqual({ subject: "vigil.events.acme.logon", partition: 47 });
    // Stored before the mapping existed: unchanged, no partition.
    expect(unpartition("vigil.events.acme.kerberos.tgs")).toEqual({ subject: "vigil.events.acme.kerberos.tgs" });
    expect(unpartition("vigil.alerts.acme")).toEqual({ subject: "vigil.alerts.acme" });
  });

  it("narrows logical filters to one partition", () => {
    expect(partitionFilter("vigil.events.>", 3)).toBe("vigil.events.*.3.>");
    expect(partitionFilter("vigil.events.acme.>", 3)).toBe("vigil.events.acme.3.>");
    expect(partitionFilter("vigil.events.*.logon", 3)).toBe("vigil.events.*.3.logon");
  });

  it("parses probe replies and rejects anything else", () => {
    expect(parseProbeReply("n1", "vigil.partitions.probe.n1.64.5")).toEqual({ count: 64, partition: 5 });
    expect(parseProbeReply("n1", "vigil.partitions.probe.n2.64.5")).toBeUndefined();
    expect(parseProbeReply("n1", "vigil.partitions.probe.n1.x.5")).toBeUndefined();
    expect(parseProbeReply("n1", "vigil.partitions.probe.n1.64.5.9")).toBeUndefined();
  });

  it("rejects partition counts outside 1-1024", () => {
    for (const bad of [0, -1, 1.5, 1025]) expect(() => assertPartitionCount(bad)).toThrow(/partition count/);
    expect(() => assertPartitionCount(64)).not.toThrow();
  });

  it("compose's nats config carries exactly the mapping scripts/nats/mappings.sh prints for 64", () => {
    const printed = execFileSync("bash", [new URL("scripts/nats/mappings.sh", root).pathname, "64"], { encoding: "utf8" });
    expect(readFileSync(new URL("scripts/nats/compose.conf", root), "utf8")).toContain(printed.trim());
    expect(() => execFileSync("bash", [new URL("scripts/nats/mappings.sh", root).pathname, "0"], { stdio: "ignore" })).toThrow();
  });
});
