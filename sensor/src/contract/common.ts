import { z } from "zod";

/** Version of the wire schema; bump on a breaking change and keep reading the previous one. */
export const EVENT_SCHEMA_VERSION = 1 as const;

/**
 * Tenant and sensor ids become NATS subject tokens, so they may not contain `.`, `*`, `>` or spaces.
 */
export const tokenId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 characters of A-Z a-z 0-9 _ -");

/** A security principal as Windows names it; any part may be missing depending on the source. */
export const principal = z
  .object({
    sid: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    domain: z.string().min(1).optional(),
    /** Distinguished name, when the source gives one (5136, LDAP). */
    dn: z.string().min(1).optional(),
  })
  .strict();
export type Principal = z.infer<typeof principal>;

/** The machine an action came from. */
export const endpoint = z
  .object({
    ip: z.string().min(1).optional(),
    host: z.string().min(1).optional(),
    port: z.number().int().min(0).max(65535).optional(),
  })
  .strict();
export type Endpoint = z.infer<typeof endpoint>;

/** Where the normalized event came from, kept for evidence and for the dedupe id. */
export const origin = z
  .object({
    format: z.enum(["evtx", "event-xml", "event-json", "pcap", "samba-json", "radius", "ldap", "sensor"]),
    /** Windows EventRecordID, pcap frame number, LDAP uSNChanged… whatever identifies the record at its source. */
    recordId: z.string().min(1).optional(),
    /** Windows event id (4624, 4662…) when the source is a Windows event. */
    eventId: z.number().int().optional(),
    provider: z.string().optional(),
    channel: z.string().optional(),
    /**
     * The host that logged or captured the record (Windows `Computer`, the capturing sensor's host).
     * Part of the event id: record ids are only unique per host and channel.
     */
    computer: z.string().min(1).optional(),
  })
  .strict();
export type Origin = z.infer<typeof origin>;

/** Fields every event carries, whatever its kind. */
export const baseFields = {
  v: z.literal(EVENT_SCHEMA_VERSION),
  id: z.string().regex(/^[0-9a-f]{32}$/, "must be the 32-hex event id from eventId()"),
  tenantId: tokenId,
  sensorId: tokenId,
  /** Event time (when it happened), ISO 8601 UTC; windows run on this, never on arrival time. */
  time: z.iso.datetime({ offset: true }),
  /** The domain controller (or server) that recorded or answered it. */
  dc: z.string().min(1).optional(),
  src: endpoint.optional(),
  actor: principal.optional(),
  target: principal
    .extend({ host: z.string().min(1).optional() })
    .strict()
    .optional(),
  origin,
};
