import { describe } from "vitest";
import { legacyProtocols } from "./legacy-protocols.ts";
import { snapshot, table, traffic, trafficCases, user } from "./test-fixtures.ts";

const snap = snapshot([user("svc_app", 1100)]);

describe("legacy-protocols", () => {
  table(legacyProtocols, [
    ...trafficCases("ntlmV1"),
    {
      name: "NTLMv1 fails",
      snap,
      traffic: traffic({ accounts: [{ account: "svc_app", ntlmV1: 9 }] }),
      status: "failed",
      affected: ["svc_app"],
    },
    {
      name: "clear-text binds alone do not fail it",
      snap,
      traffic: traffic({ accounts: [{ account: "svc_app", ldapSimpleBinds: 1 }] }),
      status: "passed",
    },
  ]);
});
