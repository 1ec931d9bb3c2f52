import { describe } from "vitest";
import { domainObject, omit, snapshot, table } from "./test-fixtures.ts";
import { unsecureDomainConfiguration } from "./unsecure-domain-configuration.ts";

const signed = { domainPolicy: { ldapServerIntegrity: 2 } };

describe("unsecure-domain-configuration", () => {
  table(unsecureDomainConfiguration, [
    { name: "quota 0 and signing required passes", snap: snapshot([], signed), status: "passed" },
    {
      name: "the default quota of 10 fails",
      snap: snapshot([domainObject({ "ms-DS-MachineAccountQuota": 10 })], signed),
      status: "failed",
      affected: ["acme"],
    },
    {
      name: "signing not required fails",
      snap: snapshot([], { domainPolicy: { ldapServerIntegrity: 1 } }),
      status: "failed",
      affected: ["acme"],
    },
    {
      name: "both fail as two findings on the domain",
      snap: snapshot([domainObject({ "ms-DS-MachineAccountQuota": 10 })], { domainPolicy: { ldapServerIntegrity: 1 } }),
      status: "failed",
      affected: ["acme", "acme"],
    },
    { name: "quota 0 but signing policy unknown is unknown", snap: snapshot(), status: "unknown" },
    {
      name: "quota 10 with signing unknown still fails",
      snap: snapshot([domainObject({ "ms-DS-MachineAccountQuota": 10 })]),
      status: "failed",
      affected: ["acme"],
    },
    {
      name: "no quota attribute is unknown",
      snap: snapshot([omit(domainObject(), "ms-DS-MachineAccountQuota")], signed),
      status: "unknown",
    },
    {
      name: "no domain object is unknown",
      snap: (() => {
        const s = snapshot([], signed);
        s.objects.delete("guid-domain");
        return s;
      })(),
      status: "unknown",
    },
  ]);
});
