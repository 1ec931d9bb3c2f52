import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildZip, type FixtureMember } from "../windows/fixtures/zip-writer.ts";
import { readSharpHoundCollection } from "./collection.ts";
import { isSharpHoundError } from "./errors.ts";
import { unsafeEntryName } from "./archive.ts";

const dir = mkdtempSync(join(tmpdir(), "vigil-sharphound-"));
let n = 0;
const zipFile = (members: FixtureMember[]) => {
  const path = join(dir, `c${n++}.zip`);
  writeFileSync(path, buildZip(members));
  return path;
};
const json = (type: string, data: unknown[]) =>
  Buffer.from(JSON.stringify({ data, meta: { methods: 0, type, count: data.length, version: 6 } }));
const users = { name: "20261125_users.json", data: json("users", [{ ObjectIdentifier: "S-1-5-21-1-2-3-1105" }]), deflate: true };
const groups = {
  name: "20261125_groups.json",
  data: json("groups", [
    { ObjectIdentifier: "S-1-5-21-1-2-3-512", Members: [{ ObjectIdentifier: "S-1-5-21-1-2-3-1105", ObjectType: "User" }] },
  ]),
};

describe("readSharpHoundCollection", () => {
  it("reads every collection file of the archive, stored or deflated, in subfolders too", async () => {
    const c = await readSharpHoundCollection(
      zipFile([users, { ...groups, name: "run1/20261125_groups.json" }, { name: "run1/", data: new Uint8Array() }]),
    );
    expect(c.users.map((u) => u.objectId)).toEqual(["S-1-5-21-1-2-3-1105"]);
    expect(c.groups[0]?.members).toEqual([{ objectId: "S-1-5-21-1-2-3-1105", type: "User" }]);
    expect(c.files.map((f) => f.entry)).toEqual(["20261125_users.json", "run1/20261125_groups.json"]);
    expect(c.problems).toEqual([]);
  });

  it("skips a truncated JSON member and a member failing its CRC, keeping the others", async () => {
    const truncated = {
      name: "20261125_computers.json",
      data: json("computers", [{ ObjectIdentifier: "S-1-5-21-1-2-3-2001" }]).subarray(0, 30),
    };
    const damaged = {
      name: "20261125_domains.json",
      data: json("domains", [{ ObjectIdentifier: "S-1-5-21-1-2-3" }]),
      deflate: true,
      corruptCrc: true,
    };
    const c = await readSharpHoundCollection(zipFile([truncated, users, damaged, groups]));
    expect(c.users).toHaveLength(1);
    expect(c.groups).toHaveLength(1);
    expect(c.computers).toEqual([]);
    expect(c.domains).toEqual([]);
    expect(c.problems.map((p) => p.entry)).toEqual(["20261125_computers.json", "20261125_domains.json"]);
    expect(c.problems[0]?.reason).toMatch(/^not valid JSON/);
    expect(c.problems[1]?.reason).toMatch(/fails its integrity check.*: skipped$/);
  });

  it("skips entries whose names climb out of the archive and files that are not JSON", async () => {
    const c = await readSharpHoundCollection(
      zipFile([
        { ...users, name: "../../etc/20261125_users.json" },
        { ...users, name: "/abs/users.json" },
        { ...users, name: "C:\\Windows\\users.json" },
        { name: "readme.txt", data: Buffer.from("hi") },
        groups,
      ]),
    );
    expect(c.users).toEqual([]);
    expect(c.groups).toHaveLength(1);
    expect(c.problems.map((p) => p.reason)).toEqual([
      "entry name points outside the archive (`..`): skipped",
      "entry name is an absolute path: skipped",
      "entry name is an absolute path: skipped",
      "not a .json file: skipped",
    ]);
    expect(unsafeEntryName("a/..b/c.json")).toBeUndefined();
  });

  it("refuses an oversized member by its declared size and a bomb by its real inflation", async () => {
    const big = Buffer.concat([json("users", []).subarray(0, -1), Buffer.from(" ".repeat(3 * 1024 * 1024) + "}")]);
    const path = zipFile([{ name: "big_users.json", data: big, deflate: true }, groups]);
    const bySize = await readSharpHoundCollection(path, { maxEntryBytes: 1024 * 1024 });
    expect(bySize.groups).toHaveLength(1);
    expect(bySize.problems).toEqual([
      { entry: "big_users.json", reason: `declares ${big.length} bytes, more than the ${1024 * 1024} allowed: skipped` },
    ]);
    // 3 MiB of spaces deflate about 1:1000: a bomb shape, refused at the default 1:200.
    const byRatio = await readSharpHoundCollection(path);
    expect(byRatio.problems[0]?.reason).toBe("declares a compression ratio above 1:200 (zip bomb?): skipped");
  });

  it("stops inflating a member whose header lies about its size", async () => {
    const archive = buildZip([{ name: "liar_users.json", data: Buffer.alloc(2 * 1024 * 1024, 0x20), deflate: true }, groups]);
    // Rewrite the declared size (local and central) to 100 bytes: the reader must count real bytes.
    const cd = archive.readUInt32LE(archive.length - 22 + 16);
    archive.writeUInt32LE(100, 22);
    archive.writeUInt32LE(100, cd + 24);
    const path = join(dir, "liar.zip");
    writeFileSync(path, archive);
    const c = await readSharpHoundCollection(path, { maxEntryBytes: 1024 * 1024 });
    expect(c.groups).toHaveLength(1);
    expect(c.problems).toEqual([{ entry: "liar_users.json", reason: `inflates past the ${1024 * 1024} bytes allowed: skipped` }]);
    const byRatio = await readSharpHoundCollection(path);
    expect(byRatio.problems).toEqual([{ entry: "liar_users.json", reason: "inflates beyond a 1:200 ratio (zip bomb?): skipped" }]);
  });

  it("skips a password-protected member (SharpHound --zippassword) and refuses an archive listing too many members", async () => {
    const archive = buildZip([users, groups]);
    const cd = archive.readUInt32LE(archive.length - 22 + 16);
    archive.writeUInt16LE(0x0801, cd + 8); // general-purpose flag bit 0: encrypted
    const path = join(dir, "encrypted.zip");
    writeFileSync(path, archive);
    const c = await readSharpHoundCollection(path);
    expect(c.users).toEqual([]);
    expect(c.problems).toEqual([{ entry: users.name, reason: `member ${users.name} is encrypted: skipped` }]);
    await expect(readSharpHoundCollection(zipFile([users, groups, groups]), { maxEntries: 2 })).rejects.toSatisfy((e) =>
      isSharpHoundError(e, "SHARPHOUND_LIMIT"),
    );
  });

  it("throws a coded error for a file that is not a zip, a missing file, and an archive with no collection file", async () => {
    const notZip = join(dir, "notzip.zip");
    writeFileSync(notZip, "this is not a zip archive at all");
    await expect(readSharpHoundCollection(notZip)).rejects.toSatisfy((e) => isSharpHoundError(e, "SHARPHOUND_NOT_ZIP"));
    await expect(readSharpHoundCollection(join(dir, "missing.zip"))).rejects.toSatisfy((e) =>
      isSharpHoundError(e, "SHARPHOUND_UNREADABLE"),
    );
    const empty = zipFile([{ name: "bad.json", data: Buffer.from("{") }]);
    await expect(readSharpHoundCollection(empty)).rejects.toSatisfy(
      (e) => isSharpHoundError(e, "SHARPHOUND_EMPTY") && /bad\.json: not valid JSON/.test((e as Error).message),
    );
  });
});
