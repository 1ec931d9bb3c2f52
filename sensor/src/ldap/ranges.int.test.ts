/** Ranged retrieval against the real Samba AD DC, which honours `member;range=lo-hi` requests like Windows does. */
import { Client, Control } from "ldapts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testSamba } from "../../../test-support/samba.ts";
import { completeRanges } from "./ranges.ts";
import { EXTENDED_DN_OID } from "./schema.ts";

let client: Client;
const group = `CN=Domain Admins,CN=Users,${testSamba.baseDn}`;

beforeAll(async () => {
  client = new Client({ url: testSamba.url });
  await client.bind(testSamba.bindDn, testSamba.password);
});
afterAll(async () => {
  await client?.unbind();
});

describe("completeRanges", () => {
  it("fetches the rest of a member list the DC cut into ranges, and leaves whole attributes alone", async () => {
    const [whole] = (await client.search(group, { scope: "base", attributes: ["member", "sAMAccountName"] })).searchEntries;
    const members = ([] as string[]).concat(whole!.member as string[]).sort();
    expect(members.length).toBeGreaterThanOrEqual(2);

    const [cut] = (await client.search(group, { scope: "base", attributes: ["member;range=0-0", "sAMAccountName"] })).searchEntries;
    expect(Object.keys(cut!)).toContain("member;range=0-0");
    await completeRanges(client, cut!, []);
    expect(Object.keys(cut!).filter((k) => k.includes(";range="))).toEqual([]);
    expect(([] as string[]).concat(cut!.member as string[]).sort()).toEqual(members);
    expect(cut!.sAMAccountName).toBe("Domain Admins");
  });

  it("keeps the extended-DN form in the later ranges and accepts the entry's extended DN as base", async () => {
    const ext = [new Control(EXTENDED_DN_OID)];
    const [cut] = (await client.search(group, { scope: "base", attributes: ["member;range=0-0"] }, ext)).searchEntries;
    expect(cut!.dn).toMatch(/^<GUID=/);
    await completeRanges(client, cut!, ext);
    const values = cut!.member as string[];
    expect(values.length).toBeGreaterThanOrEqual(2);
    for (const v of values) expect(v).toMatch(/^<GUID=[0-9a-f]{32}>;<SID=[0-9a-f]+>;CN=/);
  });
});
