// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Arg, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { authorize } from "../../auth/permissions.ts";
import type { VigilContext } from "../../context.ts";
import { DirectoryConnectionTest, DirectoryCredential, DirectoryCredentialInput } from "./credential.types.ts";

@Resolver(() => DirectoryCredential)
export class CredentialResolver {
  @Query(() => [DirectoryCredential], { description: "Directory-service accounts (admin); passwords are never returned" })
  async directoryCredentials(@Ctx() ctx: VigilContext): Promise<DirectoryCredential[]> {
    return ctx.credentials.list(authorize(ctx.auth, "credential:read"));
  }

  @Mutation(() => DirectoryCredential, { description: "Add a directory-service account (admin); at most 30 per tenant" })
  async addDirectoryCredential(
    @Ctx() ctx: VigilContext,
    @Arg("input", () => DirectoryCredentialInput) input: DirectoryCredentialInput,
  ): Promise<DirectoryCredential> {
    return ctx.credentials.add(authorize(ctx.auth, "credential:add"), input);
  }

  @Mutation(() => DirectoryCredential, { description: "Replace a directory-service account's password (admin)" })
  async rotateDirectoryCredential(
    @Ctx() ctx: VigilContext,
    @Arg("id", () => ID) id: string,
    @Arg("password", () => String) password: string,
  ): Promise<DirectoryCredential> {
    return ctx.credentials.rotate(authorize(ctx.auth, "credential:rotate"), id, password);
  }

  @Mutation(() => Boolean, { description: "Remove a directory-service account (admin); false when there was none" })
  async removeDirectoryCredential(@Ctx() ctx: VigilContext, @Arg("id", () => ID) id: string): Promise<boolean> {
    return ctx.credentials.remove(authorize(ctx.auth, "credential:remove"), id);
  }

  @Mutation(() => DirectoryConnectionTest, { description: "Bind to the DC with the stored password and report the outcome (admin)" })
  async testDirectoryCredential(@Ctx() ctx: VigilContext, @Arg("id", () => ID) id: string): Promise<DirectoryConnectionTest> {
    return ctx.credentials.testConnection(authorize(ctx.auth, "credential:test"), id);
  }
}
