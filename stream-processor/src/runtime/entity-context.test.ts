import { describe, expect, it } from "vitest";
import { addDc, emptyContext, hasRole, isDcHost, isHoneytoken } from "../engine/context.ts";
import { withTags, type ContextTag } from "./entity-context.ts";

const tag = (entityKey: string, t: ContextTag["tag"], detectionId: string | null = null): ContextTag => ({
  entityKey,
  tag: t,
  detectionId,
});

describe("withTags", () => {
  it("puts server roles in the context beside the other tags, and a refresh without them drops them", () => {
    const learned = addDc(emptyContext(), { host: "DC01.acme.local" });
    const tagged = withTags(learned, [
      tag("computer:DC02.acme.local", "dc"),
      tag("ip:10.0.0.40", "adfs"),
      tag("host:EXCH01", "exchange"),
      tag("computer:CA01", "adcs"),
      tag("user:bob", "honeytoken"),
    ]);
    expect(tagged.roles).toEqual({ dc: ["dc02"], adfs: ["10.0.0.40"], exchange: ["exch01"], adcs: ["ca01"] });
    expect([isDcHost(tagged, "dc01"), isDcHost(tagged, "dc02"), hasRole(tagged, "adfs", "10.0.0.40")]).toEqual([true, true, true]);
    expect(isHoneytoken(tagged, { name: "bob" })).toBe(true);
    const refreshed = withTags(tagged, [tag("user:bob", "honeytoken")]);
    expect([isDcHost(refreshed, "dc01"), isDcHost(refreshed, "dc02"), hasRole(refreshed, "adfs", "10.0.0.40")]).toEqual([
      true,
      false,
      false,
    ]);
  });
});
