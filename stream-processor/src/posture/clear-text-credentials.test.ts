import { describe } from "vitest";
import { clearTextCredentials } from "./clear-text-credentials.ts";
import { snapshot, table, traffic, trafficCases, user } from "./test-fixtures.ts";

const snap = snapshot([user("svc_app", 1100)]);

describe("clear-text-credentials", () => {
  table(clearTextCredentials, [
    ...trafficCases("ldapSimpleBinds"),
    {
      name: "a clear-text simple bind fails",
      snap,
      traffic: traffic({ accounts: [{ account: "ACME\\svc_app", ldapSimpleBinds: 12, rc4Tickets: 3 }] }),
      status: "failed",
      affected: ["svc_app"],
    },
    {
      name: "RC4 use alone does not fail it",
      snap,
      traffic: traffic({ accounts: [{ account: "svc_app", rc4Tickets: 3 }] }),
      status: "passed",
    },
  ]);
});
