import { describe } from "vitest";
import { dormantSensitiveEntities } from "./dormant-sensitive-entities.ts";
import { daysAgo, DOMAIN_SID, group, omit, snapshot, table, user } from "./test-fixtures.ts";

const da = (sam: string, rid: number, attrs: Parameters<typeof user>[2], ...unread: string[]) => {
  const u = omit(user(sam, rid, attrs), ...unread);
  return [u, group("Domain Admins", `${DOMAIN_SID}-512`, [user("Administrator", 500), u])];
};

describe("dormant-sensitive-entities", () => {
  table(dormantSensitiveEntities, [
    { name: "active admins pass", snap: snapshot(), status: "passed" },
    {
      name: "an admin idle for 200 days fails",
      snap: snapshot(da("old_admin", 1100, { lastLogonTimestamp: daysAgo(200) })),
      status: "failed",
      affected: ["old_admin"],
    },
    {
      name: "an admin idle for 170 days passes",
      snap: snapshot(da("old_admin", 1100, { lastLogonTimestamp: daysAgo(170) })),
      status: "passed",
    },
    {
      name: "never logged on, created a year ago, fails",
      snap: snapshot(da("ghost", 1100, { lastLogonTimestamp: "never", whenCreated: daysAgo(365) })),
      status: "failed",
      affected: ["ghost"],
    },
    {
      name: "never logged on but created last week passes",
      snap: snapshot(da("new_admin", 1100, { lastLogonTimestamp: "never", whenCreated: daysAgo(7) })),
      status: "passed",
    },
    {
      name: "a disabled admin fails",
      snap: snapshot(da("left", 1100, { userAccountControl: 0x202 })),
      status: "failed",
      affected: ["left"],
    },
    {
      name: "an expired admin fails",
      snap: snapshot(da("contractor", 1100, { accountExpires: daysAgo(3) })),
      status: "failed",
      affected: ["contractor"],
    },
    {
      name: "an idle non-sensitive user passes",
      snap: snapshot([user("bob", 1100, { lastLogonTimestamp: daysAgo(400) })]),
      status: "passed",
    },
    {
      name: "an idle account sensitive by a manual tag fails",
      snap: snapshot([user("bob", 1100, { lastLogonTimestamp: daysAgo(400) })]),
      sensitive: [`${DOMAIN_SID}-1100`],
      status: "failed",
      affected: ["bob"],
    },
    {
      name: "an admin the sync read without lastLogonTimestamp never logged on (fails when old)",
      snap: snapshot(da("nologon", 1100, { whenCreated: daysAgo(300) }, "lastLogonTimestamp")),
      status: "failed",
      affected: ["nologon"],
    },
    {
      name: "an admin whose state was not read (no userAccountControl) is unknown, not passed",
      snap: snapshot(da("nodata", 1100, {}, "lastLogonTimestamp", "userAccountControl")),
      status: "unknown",
    },
    {
      name: "an unreadable lastLogonTimestamp is unknown",
      snap: snapshot(da("garbled", 1100, { lastLogonTimestamp: "not a time" })),
      status: "unknown",
    },
  ]);
});
