import type { RadiusAttribute } from "./packet.ts";

/** RFC 2865 / 2866 attribute numbers the accounting mapping reads. */
export const ATTR = {
  userName: 1,
  nasIpAddress: 4,
  framedIpAddress: 8,
  vendorSpecific: 26,
  callingStationId: 31,
  nasIdentifier: 32,
  acctStatusType: 40,
  acctDelayTime: 41,
  acctSessionId: 44,
  acctSessionTime: 46,
  acctTerminateCause: 49,
  eventTimestamp: 55,
} as const;

/** Acct-Status-Type values (RFC 2866 §5.1); 7 / 8 are the NAS's own Accounting-On / -Off. */
export const STATUS_TYPES: Readonly<Record<number, "start" | "stop" | "interim" | "accounting-on" | "accounting-off">> = {
  1: "start",
  2: "stop",
  3: "interim",
  7: "accounting-on",
  8: "accounting-off",
};

/** The accounting fields of one request, decoded; VSAs stay raw (vendor id + hex). */
export interface AccountingFields {
  statusType?: number;
  sessionId?: string;
  userName?: string;
  framedIp?: string;
  callingStation?: string;
  nasIp?: string;
  nasIdentifier?: string;
  sessionSeconds?: number;
  delaySeconds?: number;
  terminateCause?: number;
  /** Event-Timestamp, seconds since the Unix epoch. */
  eventTimestamp?: number;
  vendorSpecific: { vendorId: number; hex: string }[];
}

/** Decodes the attributes the mapping uses; wrong-sized integers / addresses are reported, not guessed. */
export function decodeAccounting(attributes: RadiusAttribute[]): AccountingFields | string {
  const out: AccountingFields = { vendorSpecific: [] };
  for (const a of attributes) {
    switch (a.type) {
      case ATTR.userName:
        out.userName = text(a.value);
        break;
      case ATTR.acctSessionId:
        out.sessionId = text(a.value);
        break;
      case ATTR.callingStationId:
        out.callingStation = text(a.value);
        break;
      case ATTR.nasIdentifier:
        out.nasIdentifier = text(a.value);
        break;
      case ATTR.nasIpAddress:
      case ATTR.framedIpAddress: {
        if (a.value.length !== 4) return `attribute ${a.type} (IPv4 address) has ${a.value.length} octets, not 4`;
        const ip = [...a.value].join(".");
        if (a.type === ATTR.nasIpAddress) out.nasIp = ip;
        else out.framedIp = ip;
        break;
      }
      case ATTR.acctStatusType:
      case ATTR.acctSessionTime:
      case ATTR.acctDelayTime:
      case ATTR.acctTerminateCause:
      case ATTR.eventTimestamp: {
        if (a.value.length !== 4) return `attribute ${a.type} (integer) has ${a.value.length} octets, not 4`;
        const n = a.value.readUInt32BE(0);
        if (a.type === ATTR.acctStatusType) out.statusType = n;
        else if (a.type === ATTR.acctSessionTime) out.sessionSeconds = n;
        else if (a.type === ATTR.acctDelayTime) out.delaySeconds = n;
        else if (a.type === ATTR.acctTerminateCause) out.terminateCause = n;
        else out.eventTimestamp = n;
        break;
      }
      case ATTR.vendorSpecific:
        out.vendorSpecific.push({ vendorId: a.vendorId ?? 0, hex: a.value.toString("hex") });
        break;
    }
  }
  return out;
}

/** RFC 2865 text is UTF-8; NUL padding some NAS add is not part of it. */
function text(value: Buffer): string | undefined {
  const v = value.toString("utf8").replace(/\0+$/, "").trim();
  return v === "" ? undefined : v;
}
