import { Prisma } from "@vigil/db";
import { isTenantId } from "../../auth/claims.ts";
import type { Store } from "../../db.ts";
import { badInput } from "../../errors.ts";
import { recordAudit } from "../audit/audit.storage.ts";
import type { Tenant } from "./tenant.types.ts";

const MAX_NAME = 200;
const MAX_LIST = 1000;

/** Platform-level use cases: the only code that reads or writes the tenant table. */
export class TenantManager {
  constructor(private readonly store: Store) {}

  async list(): Promise<Tenant[]> {
    return this.store.prisma.tenant.findMany({ select: { id: true, name: true, createdAt: true }, orderBy: { id: "asc" }, take: MAX_LIST });
  }

  /**
   * Creates a tenant and records it in the new tenant's own audit trail (its admins can see who
   * created it). The tenant row must exist before its audit entry (foreign key), so a failed audit
   * write removes the tenant again rather than leaving an unaudited one.
   */
  async create(operator: { subject: string }, rawId: string, rawName: string): Promise<Tenant> {
    const id = rawId.trim();
    const name = rawName.trim();
    if (!isTenantId(id)) throw badInput("id must be 1-64 characters: letters, digits, '_' or '-'");
    if (name.length === 0 || name.length > MAX_NAME) throw badInput(`name must be 1-${MAX_NAME} characters`);
    const tenant = await this.store.prisma.tenant
      .create({ select: { id: true, name: true, createdAt: true }, data: { id, name } })
      .catch((err: unknown) => {
        throw err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002" ? badInput(`tenant "${id}" already exists`) : err;
      });
    try {
      await this.store
        .forTenant(id)
        .transaction((tx) =>
          recordAudit(
            tx,
            { tenantId: id, subject: operator.subject },
            { action: "tenant:create", target: `tenant:${id}`, after: { name } },
          ),
        );
    } catch (err) {
      await this.store.prisma.tenant.delete({ where: { id } }).catch(() => {});
      throw err;
    }
    return tenant;
  }
}
