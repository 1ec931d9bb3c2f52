// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Field, ID, Int, ObjectType } from "type-graphql";
import { DateTimeScalar, JsonScalar } from "../shared/scalars.ts";

/** Everything Vigil holds about one person, as JSON (profile, activities, alerts, tags). */
@ObjectType()
export class PersonalDataExport {
  @Field(() => ID) entityKey!: string;
  @Field(() => DateTimeScalar) exportedAt!: Date;
  @Field(() => JsonScalar, {
    description:
      "{ profile, activities, alerts (with evidence and comments), tags, pendingDeletion }; profile null when the graph has no node; pendingDeletion { requestedAt, lastAttemptAt, attempts } when the person was deleted from the directory and an open alert still holds their data, else null",
  })
  data!: unknown;
}

/** Outcome of deletePersonalData. */
@ObjectType()
export class PersonalDataDeletion {
  @Field(() => ID) entityKey!: string;
  @Field(() => Boolean, { description: "False when the person is part of an open alert (kept, as MDI does)" }) deleted!: boolean;
  @Field(() => [ID], { description: "The open alerts that kept the data" }) blockingAlerts!: string[];
  @Field(() => Int) tagsDeleted!: number;
  @Field(() => Int, { description: "Identity graph activity edges deleted (sessions, memberships, admin rights)" })
  activitiesDeleted!: number;
}
