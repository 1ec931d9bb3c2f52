import { describe } from "vitest";
import { snapshot, table, traffic, trafficCases, user } from "./test-fixtures.ts";
import { weakCipherUsage } from "./weak-cipher-usage.ts";

const snap = snapshot([user("svc_app", 1100)]);

describe("weak-cipher-usage", () => {
  table(weakCipherUsage, [
    ...trafficCases("rc4Tickets"),
    ...trafficCases("desTickets").filter((c) => c.status === "failed"),
    {
      name: "RC4 tickets fail",
      snap,
      traffic: traffic({ accounts: [{ account: "svc_app@acme.local", rc4Tickets: 4 }] }),
      status: "failed",
      affected: ["svc_app"],
    },
    {
      name: "DES tickets fail",
      snap,
      traffic: traffic({ accounts: [{ account: "svc_app", desTickets: 1 }] }),
      status: "failed",
      affected: ["svc_app"],
    },
    {
      name: "a service named by its SPN resolves to its account",
      snap: snapshot([user("svc_sql", 1101, { servicePrincipalName: ["MSSQLSvc/sql01.acme.local:1433"] })]),
      traffic: traffic({ accounts: [{ account: "mssqlsvc/SQL01.acme.local:1433", rc4Tickets: 2 }] }),
      status: "failed",
      affected: ["svc_sql"],
    },
    { name: "NTLMv1 alone does not fail it", snap, traffic: traffic({ accounts: [{ account: "svc_app", ntlmV1: 1 }] }), status: "passed" },
  ]);
});
