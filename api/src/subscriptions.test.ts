// alertCreated over a real graphql-ws WebSocket (Mercurius on port 0): each viewer gets its own
// tenant's alerts and nothing else. Apollo Server serves no WebSockets, so this runs on Mercurius only.
import type { FastifyInstance } from "fastify";
import type { RelationalStore } from "@vigil/db";
import { type Client, createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { PublishableAlertFeed } from "./index.ts";
import { alertPayload, createTenant, openFixtures, startServer, token } from "./testing/api-fixtures.ts";

const ALERT_CREATED = `subscription($filter: AlertFeedFilter) { alertCreated(filter: $filter) { id title severity status classification } }`;

interface Received {
  id: string;
  title: string;
  severity: string;
}

let fixtures: { store: RelationalStore; feed: PublishableAlertFeed };
let app: FastifyInstance;
let url: string;
const clients: Client[] = [];

beforeAll(async () => {
  fixtures = await openFixtures();
  app = await startServer("mercurius", fixtures);
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("expected a TCP address");
  url = `ws://127.0.0.1:${address.port}/graphql`;
  await createTenant(fixtures.store, "ws-a");
  await createTenant(fixtures.store, "ws-b");
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await app?.close();
  await fixtures?.store.close();
});

function connect(bearer: string | undefined): Client {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: bearer ? { authorization: `Bearer ${bearer}` } : {},
  });
  clients.push(client);
  return client;
}

/** Subscribes and collects; `error` holds whatever ended the subscription abnormally. */
function subscribe(client: Client, variables: Record<string, unknown> = {}) {
  const state = { received: [] as Received[], error: undefined as unknown, completed: false };
  client.subscribe<{ alertCreated: Received }>(
    { query: ALERT_CREATED, variables },
    {
      next: (result) => result.data && state.received.push(result.data.alertCreated),
      error: (error) => (state.error = error ?? "error"),
      complete: () => (state.completed = true),
    },
  );
  return state;
}

/** Publishes rounds of alerts until `done()` holds: there is no "subscribed" ack in graphql-ws. */
async function publishUntil(rounds: () => void, done: () => boolean) {
  for (let i = 0; i < 100 && !done(); i++) {
    rounds();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("alertCreated subscription (Mercurius, graphql-ws)", () => {
  it("delivers alerts of the viewer's tenant only", async () => {
    const a = subscribe(connect(await token("ws-a", "reader")));
    const b = subscribe(connect(await token("ws-b", "reader")));
    let round = 0;
    // Each round publishes B's alert before A's: if B's leaked to A's subscriber, it would arrive first.
    await publishUntil(
      () => {
        round++;
        fixtures.feed.publish(alertPayload("ws-b", `b-${round}`));
        fixtures.feed.publish(alertPayload("ws-a", `a-${round}`));
      },
      () => a.received.length > 0 && b.received.length > 0,
    );
    expect(a.error).toBeUndefined();
    expect(a.received.length).toBeGreaterThan(0);
    expect(a.received.every((alert) => alert.id.startsWith("a-"))).toBe(true);
    expect(b.received.every((alert) => alert.id.startsWith("b-"))).toBe(true);
    expect(a.received[0]).toMatchObject({ title: expect.stringMatching(/^DCSync by a-/), severity: "HIGH" });
  });

  it("applies the subscription filter", async () => {
    const highOnly = subscribe(connect(await token("ws-a", "reader")), { filter: { severity: ["HIGH"] } });
    let round = 0;
    await publishUntil(
      () => {
        round++;
        fixtures.feed.publish(alertPayload("ws-a", `low-${round}`, "low"));
        fixtures.feed.publish(alertPayload("ws-a", `high-${round}`, "high"));
      },
      () => highOnly.received.length > 0,
    );
    expect(highOnly.received.length).toBeGreaterThan(0);
    expect(highOnly.received.every((alert) => alert.severity === "HIGH")).toBe(true);
  });

  it("refuses a connection without a valid token", async () => {
    for (const bearer of [undefined, await token("ws-a", "reader", { secret: "another-secret-another-secret-another!" })]) {
      const state = subscribe(connect(bearer));
      await publishUntil(
        () => fixtures.feed.publish(alertPayload("ws-a", "leak")),
        () => state.error !== undefined || state.completed,
      );
      expect(state.received).toEqual([]);
      expect(state.error ?? state.completed).toBeTruthy();
    }
  });

  it("rejects an invalid subscription document with a coded error", async () => {
    const client = connect(await token("ws-a", "reader"));
    const state = { error: undefined as unknown };
    client.subscribe(
      { query: `subscription { alertCreated { nope } }` },
      { next: () => {}, error: (e) => (state.error = e), complete: () => {} },
    );
    await publishUntil(
      () => {},
      () => state.error !== undefined,
    );
    expect(state.error).toEqual([expect.objectContaining({ extensions: { code: "GRAPHQL_VALIDATION_FAILED" } })]);
  });
});
