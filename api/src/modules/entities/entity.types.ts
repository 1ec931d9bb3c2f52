// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { DateTimeScalar } from "../shared/scalars.ts";

export const EntityTagKind = { SENSITIVE: "sensitive", HONEYTOKEN: "honeytoken", EXCLUDED: "excluded" } as const;
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
 * An AD entity (user, computer, group…) by its entity key, e.g. "user:S-1-5-21-…". Until the
 * identity graph is wired in, what Vigil knows of an entity is its tags and the alerts about it.
 */
@ObjectType()
export class Entity {
  @Field(() => ID) id!: string;
  @Field(() => [EntityTag]) tags!: EntityTag[];
}

/** Result of tagEntity: the tag, whether this call added it, and the entity with all its tags. */
@ObjectType()
export class EntityTagPayload {
  @Field(() => EntityTag) tag!: EntityTag;
  @Field(() => Boolean, { description: "False when the entity already had this tag (the call changed nothing)" }) created!: boolean;
  @Field(() => Entity) entity!: Entity;
}
