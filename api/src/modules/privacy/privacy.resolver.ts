// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import { authorize } from "../../auth/permissions.ts";
import type { VigilContext } from "../../context.ts";
import { PersonalDataDeletion, PersonalDataExport } from "./privacy.types.ts";

/** Mutations rather than a query for the export: reading personal data in bulk is itself audited. */
@Resolver()
export class PrivacyResolver {
  @Mutation(() => PersonalDataExport, { description: "Everything Vigil holds about an entity, as JSON (admin; audited)" })
  async exportPersonalData(@Ctx() ctx: VigilContext, @Arg("entityKey", () => String) entityKey: string): Promise<PersonalDataExport> {
    return ctx.privacy.export(authorize(ctx.auth, "personal-data:export"), entityKey);
  }

  @Mutation(() => PersonalDataDeletion, {
    description: "Delete an entity's tags and identity-graph activity, unless it is part of an open alert (admin; audited)",
  })
  async deletePersonalData(@Ctx() ctx: VigilContext, @Arg("entityKey", () => String) entityKey: string): Promise<PersonalDataDeletion> {
    return ctx.privacy.delete(authorize(ctx.auth, "personal-data:delete"), entityKey);
  }
}
