import { isInputObjectType, isObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { buildVigilSchema, printVigilSchema } from "./schema.ts";

describe("buildVigilSchema", () => {
  it("builds once and prints stable SDL with every root field", () => {
    expect(buildVigilSchema()).toBe(buildVigilSchema());
    const sdl = printVigilSchema();
    expect(sdl).toBe(printVigilSchema());
    for (const field of [
      "alerts(after: String, filter: AlertFilter, first: Int = 25): AlertConnection!",
      "alert(id: ID!): Alert",
      "entity(id: ID!): Entity",
      "sensors: [SensorWithHealth!]!",
      "rotateSensorKey(id: ID!): CreateSensorPayload!",
      "revokeSensor(id: ID!): Sensor!",
      "assignAlert(assignee: String, id: ID!): Alert!",
      "addAlertComment(id: ID!, text: String!): AlertComment!",
      "setSiemTarget(input: SiemTargetInput!): SiemTarget!",
      "removeSiemTarget: Boolean!",
      "addDirectoryCredential(input: DirectoryCredentialInput!): DirectoryCredential!",
      "testDirectoryCredential(id: ID!): DirectoryConnectionTest!",
      "removeDirectoryCredential(id: ID!): Boolean!",
      "tenants: [Tenant!]!",
      "exportPersonalData(entityKey: String!): PersonalDataExport!",
      "createSensor(kind: SensorKind!, name: String!): CreateSensorPayload!",
      "updateAlertStatus(classification: AlertClassification, id: ID!, status: AlertStatus!): Alert!",
      "alertCreated(filter: AlertFeedFilter): Alert!",
    ]) {
      expect(sdl).toContain(field);
    }
  });

  it("has no output field that could return a directory-service password or secret", () => {
    const fields: string[] = [];
    for (const type of Object.values(buildVigilSchema().getTypeMap())) {
      if (isObjectType(type) && !type.name.startsWith("__")) fields.push(...Object.keys(type.getFields()).map((f) => `${type.name}.${f}`));
    }
    expect(fields.filter((f) => /password|secret|jwe/i.test(f))).toEqual([]);
  });

  it("has no argument or input field that could carry a tenant id", () => {
    const names: string[] = [];
    for (const type of Object.values(buildVigilSchema().getTypeMap())) {
      if (isInputObjectType(type)) names.push(...Object.keys(type.getFields()));
      if (isObjectType(type)) for (const field of Object.values(type.getFields())) names.push(...field.args.map((a) => a.name));
    }
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((name) => /tenant/i.test(name))).toEqual([]);
  });
});
