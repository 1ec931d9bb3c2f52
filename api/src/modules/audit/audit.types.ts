// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Field, ID, ObjectType } from "type-graphql";
import { PageInfo } from "../shared/pagination.ts";
import { DateTimeScalar, JsonScalar } from "../shared/scalars.ts";

/** One audited change: who did what to which object, with the fields before and after. */
@ObjectType()
export class AuditEntry {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: "The token subject (sub) of whoever acted" }) actor!: string;
  @Field(() => String, { description: 'The authorization action, e.g. "alert:triage"' }) action!: string;
  @Field(() => String, { nullable: true, description: 'What it acted on, e.g. "alert:<id>"' }) target!: string | null;
  @Field(() => JsonScalar, { nullable: true }) before!: unknown;
  @Field(() => JsonScalar, { nullable: true }) after!: unknown;
  @Field(() => DateTimeScalar) at!: Date;
}

@ObjectType()
export class AuditEntryEdge {
  @Field(() => String) cursor!: string;
  @Field(() => AuditEntry) node!: AuditEntry;
}

/** A page of audit entries, newest first. Entries are kept 90 days. */
@ObjectType()
export class AuditEntryConnection {
  @Field(() => [AuditEntryEdge]) edges!: AuditEntryEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}
