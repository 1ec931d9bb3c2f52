import type { VigilEvent } from "@vigil/sensor/contract";
import { isDcEndpoint } from "../engine/context.ts";
import { HOUR, defineDetection, type AlertCandidate } from "../engine/detection.ts";
import { accountEntity, accountKey, hostEntity, label, present, sourceOf } from "./entities.ts";
import { computerHost, isDcComputer, rdnValue } from "./dominance-helpers.ts";

const ID = "dcshadow";
const TITLE = "Suspected DCShadow attack (domain controller promotion)";
const REPLICATION_TITLE = "Suspected DCShadow attack (domain controller replication request)";
// The SPNs a DC needs for other DCs to replicate from it: the global catalog and the DRS interface.
const DC_SPN = /^(GC|E3514235-4B06-11D1-AB04-00C04FC2DCD2)\//im;
// DS-Install-Replica: the control-access right checked when a new DC's nTDSDSA is added.
const INSTALL_REPLICA = "9923a32a-3607-11d2-b9be-0000f87a36b2";
// DRSUAPI calls that register a replica or add a DC object; DsGetNCChanges alone is dcsync's.
const ROGUE_DRS_OPS = /replicaadd|addentry/i;

/**
 * DCShadow (MDI 2028, 2029; T1207). With Domain Admin (or the right delegations), mimikatz
 * `lsadump::dcshadow` briefly registers a workstation as a domain controller — DC SPNs on its
 * computer object, a server and an `nTDSDSA` ("NTDS Settings") object under the Sites container —
 * pushes arbitrary changes (SID history, primaryGroupID, ACLs) to a real DC through replication,
 * then removes the registration. The pushed changes bypass ordinary change auditing.
 *
 * Signal (one event is enough, high, no learning): for a computer that is not a known DC and not in
 * the Domain Controllers OU,
 * - `directory.change` adding `GC/…` or `E3514235-4B06-11D1-AB04-00C04FC2DCD2/…` to its
 *   `servicePrincipalName` (5136, or the SPN list of 4742);
 * - `directory.change` on an `nTDSDSA` object, or a `server` object under `CN=Sites`, named after it
 *   (5136; the object is being created or edited);
 * - `directory.access` (4662) exercising DS-Install-Replica (`9923a32a-…`) by an account that is not
 *   a DC;
 * - `replication` DRSUAPI DsReplicaAdd / DsAddEntry (wire) requested by something that is not a DC.
 *
 * Known benign causes and how they are handled:
 * - a genuine DC promotion does all of the above with the promoting admin's credentials, before
 *   anything knows the new DC: the computer object is moved into OU=Domain Controllers, so an SPN
 *   change there is quiet; otherwise add the new DC to ctx (addDc) before promoting, or close the alert.
 * - the KCC and DCs keep editing their own server / nTDSDSA objects: the server is a known DC, or
 *   the writer is a DC's machine account.
 * - SPNs of other services (HOST/, ldap/ on non-DC appliances) do not match.
 * Limit: mimikatz removes the objects within seconds; a source that drops 5136 events misses it,
 * and the pushed changes themselves are other detections' (sid-history-injection…).
 */
export const dcshadow = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1207"],
  sources: ["E", "N"],
  kinds: ["directory.change", "directory.access", "replication"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description: "A computer that is not a domain controller registered itself as one, or asked a DC to replicate from it.",
  recommendedActions: [
    "Isolate the computer named in the alert and find the account that ran the registration; reset it.",
    "Review directory changes replicated in the alert's time span (SID history, group membership, ACLs) and revert them.",
    "Remove leftover server / NTDS Settings objects and DC SPNs of that computer.",
  ],
  evaluate(event, _state, ctx) {
    if (event.kind === "replication") {
      if (!ROGUE_DRS_OPS.test(event.operation ?? "")) return [];
      const actorKnown = !!(event.actor?.sid || event.actor?.name);
      if (actorKnown ? isDcComputer(ctx, event.actor) : isDcEndpoint(ctx, event.src)) return [];
      const who = actorKnown ? label(event.actor) : (sourceOf(event)?.entity.id ?? "an unknown computer");
      return [
        candidate(
          event,
          REPLICATION_TITLE,
          undefined,
          `${who} called ${event.operation} on ${event.dc ?? "a domain controller"} without being a domain controller: DCShadow registers a rogue replica this way.`,
        ),
      ];
    }
    if (isDcComputer(ctx, event.actor, event.dc)) return [];
    if (event.kind === "directory.access") {
      if (!event.properties.some((p) => p.toLowerCase().includes(INSTALL_REPLICA))) return [];
      return [
        candidate(
          event,
          TITLE,
          undefined,
          `${label(event.actor)} used the DS-Install-Replica right on ${event.dc ?? "a domain controller"}: a new domain controller is being added, which DCShadow fakes. Confirm a DC promotion was planned.`,
        ),
      ];
    }
    const dn = event.objectDn ?? event.target?.dn;
    const cls = event.objectClass?.toLowerCase();
    if (event.attribute.toLowerCase() === "serviceprincipalname") {
      if (event.operation === "delete" || !DC_SPN.test(event.value ?? "")) return [];
      if (/,OU=Domain Controllers,/i.test(dn ?? "") || isDcComputer(ctx, event.target)) return [];
      const host = computerHost(event.target);
      const spn = DC_SPN.exec(event.value ?? "")?.[1] ?? "DC";
      return [
        candidate(
          event,
          TITLE,
          host,
          `${label(event.actor)} gave ${host ?? label(event.target)}, which is not a domain controller, the ${spn}/ service principal name only DCs carry: DCShadow registers a rogue DC this way.`,
        ),
      ];
    }
    const sitesServer = cls === "server" && /,CN=Servers,CN=[^,]+,CN=Sites,/i.test(dn ?? "");
    if (cls !== "ntdsdsa" && !sitesServer) return [];
    const host = normalizeServer(rdnValue(dn, cls === "ntdsdsa" ? 1 : 0));
    if (!host || isDcComputer(ctx, { name: `${host}$` })) return [];
    return [
      candidate(
        event,
        TITLE,
        host,
        `${label(event.actor)} wrote the ${cls === "ntdsdsa" ? "NTDS Settings" : "server"} object of ${host} (${event.attribute}) in the Sites container, but ${host} is not a known domain controller: DCShadow registers a rogue DC this way.`,
      ),
    ];
  },
});

function normalizeServer(cn: string | undefined): string | undefined {
  return cn ? cn.toLowerCase().split(".")[0] : undefined;
}

function candidate(event: VigilEvent, title: string, rogueHost: string | undefined, description: string): AlertCandidate {
  const source = sourceOf(event);
  const primaryEntity = rogueHost
    ? `host:${rogueHost}`
    : (accountKey(event.actor, "sid") ?? source?.key ?? `host:${event.dc ?? "unknown"}`);
  return {
    detectionId: ID,
    severity: "high",
    title,
    description,
    primaryEntity,
    entities: present(
      accountEntity("actor", event.actor),
      rogueHost ? { role: "target", kind: "computer", id: rogueHost } : undefined,
      source?.entity,
      hostEntity("dc", event.dc),
    ),
    evidenceEventIds: [event.id],
    time: event.time,
  };
}
