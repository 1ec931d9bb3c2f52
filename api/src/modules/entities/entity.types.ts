// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { DateTimeScalar } from "../shared/scalars.ts";

export const EntityTagKind = {
  SENSITIVE: "sensitive",
  HONEYTOKEN: "honeytoken",
  EXCLUDED: "excluded",
  DC: "dc",
  ADFS: "adfs",
  EXCHANGE: "exchange",
  ADCS: "adcs",
} as const;
export type EntityTagKind = (typeof EntityTagKind)[keyof typeof EntityTagKind];
registerEnumType(EntityTagKind, { name: "EntityTagKind" });

/** A manual tag on an entity. */
@ObjectType()
export class EntityTag {
  @Field(() => EntityTagKind) kind!: EntityTagKind;
  @Field(() => String, { nullable: true, description: "For EXCLUDED: the one detection it applies to (null: all)" })
  detectionId!: string | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

/**
 * An AD entity (user, computer, group…) by its entity key, e.g. "user:S-1-5-21-…": its tags, the
 * alerts about it and what the identity graph learned of it from events (recentActivity).
 */
@ObjectType()
export class Entity {
  @Field(() => ID) id!: string;
  @Field(() => [EntityTag]) tags!: EntityTag[];
}

export const EntityActivityKind = { SESSION: "session", MEMBERSHIP: "membership", ADMIN: "admin" } as const;
export type EntityActivityKind = (typeof EntityActivityKind)[keyof typeof EntityActivityKind];
registerEnumType(EntityActivityKind, {
  name: "EntityActivityKind",
  description: "What a graph edge records",
  valuesConfig: {
    SESSION: { description: "An account logged on to a computer (HAS_SESSION, computer → user)" },
    MEMBERSHIP: { description: "A principal is a direct member of a group (MEMBER_OF, member → group)" },
    ADMIN: { description: "A principal has local administrator rights on a computer (ADMIN_TO, principal → computer)" },
  },
});

export const ActivityDirection = { OUT: "out", IN: "in" } as const;
export type ActivityDirection = (typeof ActivityDirection)[keyof typeof ActivityDirection];
registerEnumType(ActivityDirection, {
  name: "ActivityDirection",
  description: "Which end of the edge the entity is",
  valuesConfig: {
    OUT: { description: "The entity is the edge's tail (the computer of a session, the member of a group, the admin)" },
    IN: { description: "The entity is the edge's head (the user of a session, the group, the administered computer)" },
  },
});

/** The node at the other end of an activity edge. */
@ObjectType()
export class GraphCounterpart {
  @Field(() => String, { description: "Graph objectId: a SID, or USER:/GROUP:<DOMAIN>\\<NAME> or COMPUTER:<NAME> when no SID is known" })
  objectId!: string;
  @Field(() => String, { description: "Graph node kind: User, Computer, Group or Domain" }) kind!: string;
  @Field(() => String, { description: "Display name (may be empty)" }) name!: string;
  @Field(() => ID, { nullable: true, description: "Its entity key, for entity(id); null when it has none (domains)" })
  entityKey!: string | null;
}

/** One identity graph edge of an entity, as learned from events or a directory sync. */
@ObjectType()
export class EntityActivity {
  @Field(() => EntityActivityKind) kind!: EntityActivityKind;
  @Field(() => ActivityDirection) direction!: ActivityDirection;
  @Field(() => GraphCounterpart) counterpart!: GraphCounterpart;
  @Field(() => String, { description: 'Where it was last observed, e.g. "event:4624" or "ldap"' }) source!: string;
  @Field(() => DateTimeScalar) firstSeen!: Date;
  @Field(() => DateTimeScalar) lastSeen!: Date;
}

/** Result of tagEntity: the tag, whether this call added it, and the entity with all its tags. */
@ObjectType()
export class EntityTagPayload {
  @Field(() => EntityTag) tag!: EntityTag;
  @Field(() => Boolean, { description: "False when the entity already had this tag (the call changed nothing)" }) created!: boolean;
  @Field(() => Entity) entity!: Entity;
}
