// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Severity } from "../alerts/alert.types.ts";
import { DateTimeScalar, JsonScalar } from "../shared/scalars.ts";

export const PostureStatus = { PASSED: "passed", FAILED: "failed", UNKNOWN: "unknown" } as const;
export type PostureStatus = (typeof PostureStatus)[keyof typeof PostureStatus];
registerEnumType(PostureStatus, {
  name: "PostureStatus",
  description: "passed; failed (something is affected); unknown (an input the assessment needs is missing: see note)",
});

/** An entity a posture assessment flags, and why. */
@ObjectType()
export class PostureAffectedEntity {
  @Field(() => String, { description: "objectSid for principals, objectGUID otherwise" }) objectId!: string;
  @Field(() => String) name!: string;
  @Field(() => String) reason!: string;
}

/** The latest result of one posture assessment (MDI's security posture assessments). */
@ObjectType()
export class PostureAssessmentResult {
  @Field(() => ID, { description: "Stable assessment id, e.g. dcsync-permissions" }) id!: string;
  @Field(() => String) title!: string;
  @Field(() => String, { description: "stale-objects | privileged-accounts | trusts | kerberos | anomalies" }) category!: string;
  @Field(() => Severity) severity!: Severity;
  @Field(() => PostureStatus) status!: PostureStatus;
  @Field(() => [PostureAffectedEntity]) affected!: PostureAffectedEntity[];
  @Field(() => String) remediation!: string;
  @Field(() => String, { nullable: true, description: "Why the status is unknown, when it is" }) note!: string | null;
  @Field(() => DateTimeScalar) evaluatedAt!: Date;
  @Field(() => DateTimeScalar, { description: "When the status last changed" }) statusSince!: Date;
}

/** One posture run's tenant score (0-100, lower is better). */
@ObjectType()
export class PostureScoreResult {
  @Field(() => Int) score!: number;
  @Field(() => JsonScalar, { description: "category → points (each capped at 100)" }) categories!: unknown;
  @Field(() => Boolean, { description: "False when any assessment is unknown" }) complete!: boolean;
  @Field(() => [String], { description: "Ids of the unknown assessments" }) unknown!: string[];
  @Field(() => DateTimeScalar) evaluatedAt!: Date;
}
