import { describe } from "vitest";
import { oldBuiltinAdminPassword } from "./old-builtin-admin-password.ts";
import { daysAgo, snapshot, table, user } from "./test-fixtures.ts";

describe("old-builtin-admin-password", () => {
  table(oldBuiltinAdminPassword, [
    { name: "a recent password passes", snap: snapshot(), status: "passed" },
    {
      name: "a 2-year-old password fails",
      snap: snapshot([user("Administrator", 500, { pwdLastSet: daysAgo(730) })]),
      status: "failed",
      affected: ["Administrator"],
    },
    {
      name: "a renamed RID-500 account is still found",
      snap: snapshot([user("root_acme", 500, { pwdLastSet: daysAgo(200) })]),
      status: "failed",
      affected: ["root_acme"],
    },
    {
      name: "RID 500 of another domain is ignored",
      snap: (() => {
        const s = snapshot();
        s.objects.delete("S-1-5-21-1-2-3-500");
        s.objects.set("S-1-5-21-7-8-9-500", {
          ...user("x", 1),
          objectId: "S-1-5-21-7-8-9-500",
          attributes: { objectSid: "S-1-5-21-7-8-9-500", pwdLastSet: daysAgo(999) },
        });
        return s;
      })(),
      status: "unknown",
    },
  ]);
});
