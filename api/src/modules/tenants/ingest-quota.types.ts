// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Field, Int, ObjectType } from "type-graphql";

/** A tenant's sensor ingest quota: what is in force and whether it is the tenant's own or the deployment default. */
@ObjectType({ description: "Sensor ingest quota of a tenant: its sensors together may sustain ratePerSecond events, bursting to burst" })
export class IngestQuota {
  @Field(() => Int, { description: "Events per second in force for all the tenant's sensors together" }) ratePerSecond!: number;
  @Field(() => Int, { description: "Events that may arrive at once above the sustained rate" }) burst!: number;
  @Field(() => Int, { nullable: true, description: "The tenant's own rate; null: the deployment default applies" })
  customRatePerSecond!: number | null;
  @Field(() => Int, { nullable: true, description: "The tenant's own burst; null: the deployment default applies" })
  customBurst!: number | null;
}
