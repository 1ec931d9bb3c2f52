// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { DateTimeScalar } from "../shared/scalars.ts";

// The kinds schema.prisma documents for Sensor.kind; should come from sensor/contract once it lists them.
export const SensorKind = { DC: "dc", ADFS: "adfs", ADCS: "adcs", RADIUS: "radius" } as const;
export type SensorKind = (typeof SensorKind)[keyof typeof SensorKind];
registerEnumType(SensorKind, { name: "SensorKind" });

/** A registered sensor; its key is never readable after creation. */
@ObjectType()
export class Sensor {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => SensorKind) kind!: SensorKind;
  @Field(() => String, { description: "First characters of the key, to tell keys apart" }) keyPrefix!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) lastSeenAt!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) revokedAt!: Date | null;
  @Field(() => String, { nullable: true }) version!: string | null;
}

/** The only response that ever contains a sensor key. */
@ObjectType()
export class CreateSensorPayload {
  @Field(() => Sensor) sensor!: Sensor;
  @Field(() => String, { description: "The sensor key. Shown once: store it now; only a hash is kept" }) key!: string;
}
