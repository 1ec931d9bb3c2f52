// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateTimeScalar } from "../shared/scalars.ts";

// The kinds schema.prisma documents for Sensor.kind; should come from sensor/contract once it lists them.
export const SensorKind = { DC: "dc", ADFS: "adfs", ADCS: "adcs", RADIUS: "radius" } as const;
export type SensorKind = (typeof SensorKind)[keyof typeof SensorKind];
registerEnumType(SensorKind, { name: "SensorKind" });

export const SensorStatus = { OK: "ok", SILENT: "silent", NEVER_SEEN: "never-seen", REVOKED: "revoked" } as const;
export type SensorStatus = (typeof SensorStatus)[keyof typeof SensorStatus];
registerEnumType(SensorStatus, {
  name: "SensorStatus",
  valuesConfig: {
    OK: { description: "Seen within the last 10 minutes" },
    SILENT: { description: "Not seen for more than 10 minutes" },
    NEVER_SEEN: { description: "Registered, never connected" },
    REVOKED: { description: "Its key is refused" },
  },
});

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

/** A sensor with its health, as the sensors list shows it. */
@ObjectType()
export class SensorWithHealth extends Sensor {
  @Field(() => SensorStatus) status!: SensorStatus;
  @Field(() => Int, { description: "Open health issues concerning this sensor" }) openHealthIssues!: number;
}

/** The only response that ever contains a sensor key. */
@ObjectType()
export class CreateSensorPayload {
  @Field(() => Sensor) sensor!: Sensor;
  @Field(() => String, { description: "The sensor key. Shown once: store it now; only a hash is kept" }) key!: string;
  @Field(() => String, {
    nullable: true,
    description:
      "NATS credentials (a .creds file) allowing this sensor key only its tenant's event subjects; set VIGIL_NATS_CREDS to a file holding them. Null when NATS runs without auth. Shown once",
  })
  natsCreds!: string | null;
}
