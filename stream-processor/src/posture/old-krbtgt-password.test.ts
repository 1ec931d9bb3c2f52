import { describe } from "vitest";
import { oldKrbtgtPassword } from "./old-krbtgt-password.ts";
import { daysAgo, omit, snapshot, table, user } from "./test-fixtures.ts";

const krbtgt = (pwdLastSet: string | undefined) => {
  const k = user("krbtgt", 502, { userAccountControl: 0x202, ...(pwdLastSet ? { pwdLastSet } : {}) });
  return snapshot([pwdLastSet ? k : omit(k, "pwdLastSet")]);
};

describe("old-krbtgt-password", () => {
  table(oldKrbtgtPassword, [
    { name: "rotated 10 days ago passes", snap: krbtgt(daysAgo(10)), status: "passed" },
    { name: "set 181 days ago fails", snap: krbtgt(daysAgo(181)), status: "failed", affected: ["krbtgt"] },
    { name: "set at domain creation years ago fails", snap: krbtgt(daysAgo(3000)), status: "failed", affected: ["krbtgt"] },
    { name: "pwdLastSet 0 (age unknown) is unknown", snap: krbtgt("never"), status: "unknown" },
    { name: "pwdLastSet not synced is unknown", snap: krbtgt(undefined), status: "unknown" },
    {
      name: "krbtgt not synced is unknown",
      snap: (() => {
        const s = snapshot();
        s.objects.delete("S-1-5-21-1-2-3-502");
        return s;
      })(),
      status: "unknown",
    },
  ]);
});
