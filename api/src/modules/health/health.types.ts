// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { Severity } from "../alerts/alert.types.ts";
import { DateTimeScalar, JsonScalar } from "../shared/scalars.ts";

export const HealthIssueStatus = { OPEN: "open", CLOSED: "closed", SUPPRESSED: "suppressed" } as const;
export type HealthIssueStatus = (typeof HealthIssueStatus)[keyof typeof HealthIssueStatus];
registerEnumType(HealthIssueStatus, {
  name: "HealthIssueStatus",
  description: "open; closed (automatically when the condition clears, or by an admin); suppressed for 7 days",
});

export const HealthIssueChangeKind = { RAISED: "raised", REOPENED: "reopened", CLOSED: "closed", SUPPRESSED: "suppressed" } as const;
export type HealthIssueChangeKind = (typeof HealthIssueChangeKind)[keyof typeof HealthIssueChangeKind];
registerEnumType(HealthIssueChangeKind, { name: "HealthIssueChangeKind" });

/** A sensor or configuration problem (MDI's health issues). */
@ObjectType()
export class HealthIssue {
  @Field(() => ID) id!: string;
  @Field(() => ID, { nullable: true, description: "The sensor concerned; null for tenant-wide issues" }) sensorId!: string | null;
  @Field(() => String, { description: "Stable issue type, e.g. sensor-stopped-communicating" }) type!: string;
  @Field(() => String, { description: "What it is about beyond the sensor (a DC, a credential name), or empty" }) subject!: string;
  @Field(() => Severity) severity!: Severity;
  @Field(() => HealthIssueStatus) status!: HealthIssueStatus;
  @Field(() => String) description!: string;
  @Field(() => JsonScalar, { nullable: true, description: "The figures that raised it" }) details!: unknown;
  @Field(() => DateTimeScalar) firstSeen!: Date;
  @Field(() => DateTimeScalar) lastSeen!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) closedAt!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) suppressedUntil!: Date | null;
}

/** One change of a health issue, as `healthIssueChanged` delivers it. */
@ObjectType()
export class HealthIssueChange {
  @Field(() => HealthIssueChangeKind) change!: HealthIssueChangeKind;
  @Field(() => HealthIssue) issue!: HealthIssue;
}
