import { isIP } from "node:net";
import type { Viewer } from "../../auth/viewer.ts";
import { type Store, inViewerTenant } from "../../db.ts";
import { badInput } from "../../errors.ts";
import { recordAudit } from "../audit/audit.storage.ts";
import { type SiemTargetFields, type SiemTargetRow, SiemStorage } from "./siem.storage.ts";
import { SiemProtocol, type SiemTargetInput } from "./siem.types.ts";

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const MAX_PEM = 64 * 1024;
const PEM_CERT = /^-----BEGIN CERTIFICATE-----\r?\n[\s\S]+?\r?\n-----END CERTIFICATE-----\s*$/;

/** SIEM target use cases (one target per tenant); every change is audited. */
export class SiemManager {
  constructor(private readonly store: Store) {}

  async get(viewer: Viewer): Promise<SiemTargetRow | null> {
    return inViewerTenant(this.store, viewer, (tx) => new SiemStorage(tx, viewer.tenantId).get());
  }

  /** Creates or replaces the tenant's target. */
  async set(viewer: Viewer, input: SiemTargetInput): Promise<SiemTargetRow> {
    const fields = validateTarget(input);
    return inViewerTenant(this.store, viewer, async (tx) => {
      const siem = new SiemStorage(tx, viewer.tenantId);
      const before = await siem.get();
      const after = await siem.set(fields);
      await recordAudit(tx, viewer, {
        action: "siem:set",
        target: "siem",
        before: before ? auditView(before) : undefined,
        after: auditView(after),
      });
      return after;
    });
  }

  /** Stops forwarding; false when no target was set. */
  async remove(viewer: Viewer): Promise<boolean> {
    return inViewerTenant(this.store, viewer, async (tx) => {
      const siem = new SiemStorage(tx, viewer.tenantId);
      const before = await siem.get();
      const removed = await siem.remove();
      await recordAudit(tx, viewer, { action: "siem:remove", target: "siem", before: before ? auditView(before) : undefined });
      return removed;
    });
  }
}

/** Checks every field; the forwarder relies on these (it never re-validates the row). */
export function validateTarget(input: SiemTargetInput): SiemTargetFields {
  const host = input.host.trim();
  if (!(HOST_NAME.test(host) || isIP(host) !== 0)) throw badInput("host must be a DNS name or an IP address");
  if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) throw badInput("port must be between 1 and 65535");
  const tls = input.protocol === SiemProtocol.TLS;
  const caPem = input.caPem?.trim() || null;
  const serverName = input.serverName?.trim() || null;
  if (!tls && (caPem || serverName)) throw badInput("caPem and serverName apply to protocol TLS only");
  if (caPem && (caPem.length > MAX_PEM || !PEM_CERT.test(caPem))) throw badInput("caPem must be one or more PEM certificates");
  if (serverName && !HOST_NAME.test(serverName)) throw badInput("serverName must be a DNS name");
  return { host, port: input.port, protocol: input.protocol, format: input.format, caPem, serverName, enabled: input.enabled };
}

// The CA certificate is public but long; the audit log records whether one is set.
const auditView = (row: SiemTargetRow) => ({
  host: row.host,
  port: row.port,
  protocol: row.protocol,
  format: row.format,
  caPem: row.caPem ? "set" : null,
  serverName: row.serverName,
  enabled: row.enabled,
});
