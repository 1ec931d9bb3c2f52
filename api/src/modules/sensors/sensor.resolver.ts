// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Arg, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { authorize } from "../../auth/permissions.ts";
import type { VigilContext } from "../../context.ts";
import type { SensorRow } from "./sensor.storage.ts";
import { CreateSensorPayload, Sensor, SensorKind, SensorWithHealth } from "./sensor.types.ts";

@Resolver(() => Sensor)
export class SensorResolver {
  @Query(() => [SensorWithHealth], { description: "Sensors of the caller's tenant, with their health" })
  async sensors(@Ctx() ctx: VigilContext): Promise<SensorWithHealth[]> {
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

  @Mutation(() => CreateSensorPayload, { description: "Issue a new key for a sensor; the old key stops working (admin)" })
  async rotateSensorKey(@Ctx() ctx: VigilContext, @Arg("id", () => ID) id: string): Promise<CreateSensorPayload> {
    return ctx.sensorKeys.rotateKey(authorize(ctx.auth, "sensor:rotate-key"), id);
  }

  @Mutation(() => Sensor, { description: "Revoke a sensor: its key is refused from now on (admin). Idempotent" })
  async revokeSensor(@Ctx() ctx: VigilContext, @Arg("id", () => ID) id: string): Promise<SensorRow> {
    return ctx.sensorKeys.revoke(authorize(ctx.auth, "sensor:revoke"), id);
  }
}
