// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { PageInfo } from "../shared/pagination.ts";
import { DateTimeScalar, JsonScalar } from "../shared/scalars.ts";

// GraphQL names are UPPER_CASE by convention; the values are what the database stores.
export const Severity = { LOW: "low", MEDIUM: "medium", HIGH: "high" } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];
registerEnumType(Severity, { name: "Severity" });

export const AlertStatus = { OPEN: "open", CLOSED: "closed", SUPPRESSED: "suppressed" } as const;
export type AlertStatus = (typeof AlertStatus)[keyof typeof AlertStatus];
registerEnumType(AlertStatus, { name: "AlertStatus" });

export const AlertClassification = {
  TRUE_POSITIVE: "truePositive",
  BENIGN_TRUE_POSITIVE: "benignTruePositive",
  FALSE_POSITIVE: "falsePositive",
} as const;
export type AlertClassification = (typeof AlertClassification)[keyof typeof AlertClassification];
registerEnumType(AlertClassification, { name: "AlertClassification" });

/** One security alert; repeated hits of a detection on the same entity aggregate into it. */
@ObjectType()
export class Alert {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: "Stable detection id (see DETECTIONS.md)" }) detectionId!: string;
  @Field(() => Severity) severity!: Severity;
  @Field(() => AlertStatus) status!: AlertStatus;
  @Field(() => AlertClassification, { nullable: true }) classification!: AlertClassification | null;
  @Field(() => String) title!: string;
  @Field(() => String) description!: string;
  @Field(() => String, { description: 'Entity key of the main entity, e.g. "user:S-1-5-21-…"' }) primaryEntity!: string;
  @Field(() => JsonScalar, { description: "Entities involved; array of { key, role?, name? }" }) entities!: unknown;
  @Field(() => [String]) mitre!: string[];
  @Field(() => DateTimeScalar) firstSeen!: Date;
  @Field(() => DateTimeScalar) lastSeen!: Date;
  @Field(() => Int) count!: number;
  @Field(() => [String]) recommendedActions!: string[];
  @Field(() => String, { nullable: true }) assignee!: string | null;
}

/** An event that contributed to an alert. */
@ObjectType()
export class AlertEvidence {
  @Field(() => ID) id!: string;
  @Field(() => String) eventId!: string;
  @Field(() => DateTimeScalar) time!: Date;
  @Field(() => JsonScalar) summary!: unknown;
}

@ObjectType()
export class AlertEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Alert) node!: Alert;
}

/** A page of alerts, newest activity (lastSeen) first. */
@ObjectType()
export class AlertConnection {
  @Field(() => [AlertEdge]) edges!: AlertEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

/** Alert list filter; list fields match any of their values, all fields must match. */
@InputType()
export class AlertFilter {
  @Field(() => [AlertStatus], { nullable: true }) status?: AlertStatus[] | null;
  @Field(() => [Severity], { nullable: true }) severity?: Severity[] | null;
  @Field(() => [String], { nullable: true, description: "Detection ids" }) type?: string[] | null;
  @Field(() => String, { nullable: true, description: "Entity key, primary or involved" }) entity?: string | null;
  @Field(() => DateTimeScalar, { nullable: true, description: "Alerts active at or after (lastSeen >= from)" }) from?: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: "Alerts active at or before (firstSeen <= to)" }) to?: Date | null;
}

/** Live alert filter: what matters for alerts as they are raised. */
@InputType()
export class AlertFeedFilter {
  @Field(() => [Severity], { nullable: true }) severity?: Severity[] | null;
  @Field(() => [String], { nullable: true, description: "Detection ids" }) type?: string[] | null;
  @Field(() => String, { nullable: true, description: "Entity key, primary or involved" }) entity?: string | null;
}

/** An analyst's note on an alert. */
@ObjectType()
export class AlertComment {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: "Token subject of the author" }) author!: string;
  @Field(() => String) text!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
}
