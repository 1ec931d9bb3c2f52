// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { authorize } from "../../auth/permissions.ts";
import type { VigilContext } from "../../context.ts";
import type { SensorRow } from "./sensor.storage.ts";
import { CreateSensorPayload, Sensor, SensorKind } from "./sensor.types.ts";

@Resolver(() => Sensor)
export class SensorResolver {
  @Query(() => [Sensor], { description: "Sensors of the caller's tenant" })
  async sensors(@Ctx() ctx: VigilContext): Promise<SensorRow[]> {
    return ctx.sensors.list(authorize(ctx.auth, "sensor:read"));
  }

  @Mutation(() => CreateSensorPayload, { description: "Register a sensor and issue its key (admin)" })
  async createSensor(
    @Ctx() ctx: VigilContext,
    @Arg("name", () => String) name: string,
    @Arg("kind", () => SensorKind) kind: SensorKind,
  ): Promise<CreateSensorPayload> {
    return ctx.sensors.create(authorize(ctx.auth, "sensor:create"), name, kind);
  }
}
