import { createHash } from "node:crypto";
import { isIP } from "node:net";
import type { EventOf } from "../contract/index.ts";
import { ATTR, decodeAccounting, STATUS_TYPES } from "./attributes.ts";
import type { AccountingRequest } from "./packet.ts";

/** Who maps, and when the packet arrived (the fallback event time). */
export interface RadiusMapContext {
  tenantId: string;
  sensorId: string;
  /** The NAS's source address, part of the record id (sessions are unique per NAS). */
  client: string;
  receivedAt: Date;
}

/** A draft, nothing to record (Accounting-On/Off), or why the request cannot become an event. */
export type RadiusMapResult = { draft: Omit<EventOf<"radius.accounting">, "id" | "v"> } | { skip: string } | { problem: string };

/**
 * Maps an authenticated Accounting-Request to a `radius.accounting` event: Start / Stop /
 * Interim-Update of one VPN (or other NAS) session. The event time is Event-Timestamp when the NAS
 * sends it, else arrival minus Acct-Delay-Time (RFC 2866 §5.2: how long the NAS has been trying).
 * The record id hashes NAS and attributes without Acct-Delay-Time, so a retransmission (the NAS
 * did not get our response) is the same event and dedupes on the bus.
 */
export function mapAccounting(request: AccountingRequest, ctx: RadiusMapContext): RadiusMapResult {
  const fields = decodeAccounting(request.attributes);
  if (typeof fields === "string") return { problem: fields };
  const status = fields.statusType === undefined ? undefined : STATUS_TYPES[fields.statusType];
  if (!status)
    return { problem: fields.statusType === undefined ? "no Acct-Status-Type" : `unsupported Acct-Status-Type ${fields.statusType}` };
  if (status === "accounting-on" || status === "accounting-off") return { skip: `${status} from the NAS (no user session)` };
  if (!fields.sessionId) return { problem: "no Acct-Session-Id" };
  if (!fields.userName) return { problem: "no User-Name" };
  const time =
    fields.eventTimestamp !== undefined
      ? new Date(fields.eventTimestamp * 1000)
      : new Date(ctx.receivedAt.getTime() - (fields.delaySeconds ?? 0) * 1000);
  const identity = createHash("sha256").update(ctx.client);
  for (const a of request.attributes)
    if (a.type !== ATTR.acctDelayTime) identity.update(Buffer.from([a.type, a.value.length])).update(a.value);
  const account = splitUser(fields.userName);
  const caller = fields.callingStation && isIP(fields.callingStation) ? fields.callingStation : undefined;
  const nas = fields.nasIdentifier ?? fields.nasIp ?? ctx.client;
  const draft: Omit<EventOf<"radius.accounting">, "id" | "v"> = {
    tenantId: ctx.tenantId,
    sensorId: ctx.sensorId,
    time: time.toISOString(),
    actor: account,
    ...(caller ? { src: { ip: caller } } : {}),
    target: { host: nas },
    origin: { format: "radius", recordId: identity.digest("hex").slice(0, 24), provider: "radius-accounting", computer: nas },
    kind: "radius.accounting",
    statusType: status,
    sessionId: fields.sessionId,
    userName: fields.userName,
    ...(fields.framedIp ? { framedIp: fields.framedIp } : {}),
    ...(fields.callingStation ? { callingStation: fields.callingStation } : {}),
    nasIp: fields.nasIp ?? ctx.client,
    ...(fields.sessionSeconds !== undefined ? { sessionSeconds: fields.sessionSeconds } : {}),
  };
  return { draft };
}

/** `CORP\alice`, `alice@corp.example` or `alice`, as VPNs send User-Name. */
function splitUser(userName: string): { name: string; domain?: string } {
  const slash = userName.indexOf("\\");
  if (slash > 0 && slash < userName.length - 1) return { domain: userName.slice(0, slash), name: userName.slice(slash + 1) };
  const at = userName.lastIndexOf("@");
  if (at > 0 && at < userName.length - 1) return { name: userName.slice(0, at), domain: userName.slice(at + 1) };
  return { name: userName };
}
