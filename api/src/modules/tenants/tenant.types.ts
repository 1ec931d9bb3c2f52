// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Field, ID, ObjectType } from "type-graphql";
import { DateTimeScalar } from "../shared/scalars.ts";

/** A customer organisation (platform-level; visible to platform operators only). */
@ObjectType()
export class Tenant {
  @Field(() => ID, { description: "The value tokens carry in the https://vigil/tenant claim" }) id!: string;
  @Field(() => String) name!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
}
