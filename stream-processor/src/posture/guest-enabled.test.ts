import { describe } from "vitest";
import { guestEnabled } from "./guest-enabled.ts";
import { omit, snapshot, table, user } from "./test-fixtures.ts";

const guest = (uac: number) => user("Guest", 501, { userAccountControl: uac, primaryGroupID: 514 });

describe("guest-enabled", () => {
  table(guestEnabled, [
    { name: "a disabled Guest passes", snap: snapshot(), status: "passed" },
    { name: "an enabled Guest fails", snap: snapshot([guest(0x220)]), status: "failed", affected: ["Guest"] },
    {
      name: "a renamed enabled Guest fails",
      snap: snapshot([{ ...guest(0x220), attributes: { ...guest(0x220).attributes, sAMAccountName: "visitor" } }]),
      status: "failed",
      affected: ["visitor"],
    },
    { name: "no userAccountControl is unknown", snap: snapshot([omit(guest(0x220), "userAccountControl")]), status: "unknown" },
  ]);
});
