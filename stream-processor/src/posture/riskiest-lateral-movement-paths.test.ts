import { describe } from "vitest";
import { riskiestLateralMovementPaths } from "./riskiest-lateral-movement-paths.ts";
import { DOMAIN_SID, snapshot, table, traffic } from "./test-fixtures.ts";

const snap = snapshot();

describe("riskiest-lateral-movement-paths", () => {
  table(riskiestLateralMovementPaths, [
    {
      name: "three non-sensitive accounts reaching an admin fails",
      snap,
      traffic: traffic({ lmpExposure: { [`${DOMAIN_SID}-500`]: 3 } }),
      status: "failed",
      affected: ["Administrator"],
    },
    {
      name: "a name key resolves too",
      snap,
      traffic: traffic({ lmpExposure: { "ACME\\administrator": 7 } }),
      status: "failed",
      affected: ["Administrator"],
    },
    {
      name: "two accounts passes (below the threshold)",
      snap,
      traffic: traffic({ lmpExposure: { [`${DOMAIN_SID}-500`]: 2 } }),
      status: "passed",
    },
    { name: "no exposure at all passes", snap, traffic: traffic({ lmpExposure: {} }), status: "passed" },
    { name: "exposure not computed is unknown", snap, traffic: traffic(), status: "unknown" },
  ]);
});
