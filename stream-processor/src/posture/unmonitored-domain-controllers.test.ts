import { describe } from "vitest";
import { computer, dc, snapshot, table, traffic } from "./test-fixtures.ts";
import { unmonitoredDomainControllers } from "./unmonitored-domain-controllers.ts";

const rodc = computer("RODC01", 1002, { userAccountControl: 0x1000 | 0x4000000, primaryGroupID: 521 });

describe("unmonitored-domain-controllers", () => {
  table(unmonitoredDomainControllers, [
    { name: "every DC monitored passes", snap: snapshot(), traffic: traffic({ monitoredDcs: ["DC01"] }), status: "passed" },
    {
      name: "a second DC without a sensor fails",
      snap: snapshot([dc("DC02", 1001)]),
      traffic: traffic(),
      status: "failed",
      affected: ["dc02.acme.local"],
    },
    {
      name: "an RODC without a sensor fails",
      snap: snapshot([rodc]),
      traffic: traffic(),
      status: "failed",
      affected: ["rodc01.acme.local"],
    },
    { name: "a member server without a sensor passes", snap: snapshot([computer("SRV01", 1100)]), traffic: traffic(), status: "passed" },
    {
      name: "a disabled DC account passes",
      snap: snapshot([dc("DC02", 1001, { userAccountControl: 0x82002 })]),
      traffic: traffic(),
      status: "passed",
    },
    { name: "no sensor inventory is unknown", snap: snapshot([dc("DC02", 1001)]), status: "unknown" },
    {
      name: "no DC in the snapshot is unknown",
      snap: (() => {
        const s = snapshot();
        s.objects.delete("S-1-5-21-1-2-3-1000");
        return s;
      })(),
      traffic: traffic(),
      status: "unknown",
    },
  ]);
});
