// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Arg, Ctx, Int, Query, Resolver } from "type-graphql";
import { authorize } from "../../auth/permissions.ts";
import type { VigilContext } from "../../context.ts";
import { DEFAULT_PAGE_SIZE } from "../shared/pagination.ts";
import { AuditEntry, AuditEntryConnection } from "./audit.types.ts";

@Resolver(() => AuditEntry)
export class AuditResolver {
  @Query(() => AuditEntryConnection, { description: "The tenant's audit trail, newest first (admin); kept 90 days" })
  async auditEntries(
    @Ctx() ctx: VigilContext,
    @Arg("action", () => String, { nullable: true, description: 'Only this action, e.g. "alert:triage"' }) action: string | null,
    @Arg("target", () => String, { nullable: true, description: 'Only this target, e.g. "alert:<id>"' }) target: string | null,
    @Arg("first", () => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE }) first: number,
    @Arg("after", () => String, { nullable: true }) after: string | null,
  ): Promise<AuditEntryConnection> {
    return ctx.audit.list(authorize(ctx.auth, "audit:read"), { action, target }, first, after);
  }
}
