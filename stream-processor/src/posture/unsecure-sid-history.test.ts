import { describe } from "vitest";
import { DOMAIN_SID, snapshot, table, user } from "./test-fixtures.ts";
import { unsecureSidHistory } from "./unsecure-sid-history.ts";

const withHistory = (...sids: string[]) => snapshot([user("bob", 1100, { sIDHistory: sids })]);

describe("unsecure-sid-history", () => {
  table(unsecureSidHistory, [
    { name: "no SID history passes", snap: snapshot(), status: "passed" },
    { name: "an ordinary SID from a migrated domain passes", snap: withHistory("S-1-5-21-7-8-9-1604"), status: "passed" },
    { name: "Enterprise Admins of another domain fails", snap: withHistory("S-1-5-21-7-8-9-519"), status: "failed", affected: ["bob"] },
    { name: "builtin Administrators fails", snap: withHistory("S-1-5-32-544"), status: "failed", affected: ["bob"] },
    { name: "builtin Users passes", snap: withHistory("S-1-5-32-545"), status: "passed" },
    { name: "a SID of the own domain fails", snap: withHistory(`${DOMAIN_SID}-1500`), status: "failed", affected: ["bob"] },
    {
      name: "without the domain SID a clean result is unknown",
      snap: (() => {
        const s = withHistory("S-1-5-21-7-8-9-1604");
        s.objects.delete("guid-domain");
        s.objects.delete(`${DOMAIN_SID}-512`);
        return s;
      })(),
      status: "unknown",
    },
  ]);
});
