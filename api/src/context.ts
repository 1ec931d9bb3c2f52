import type { IdentityGraph } from "@vigil/graph-model";
import type { Authentication } from "./auth/viewer.ts";
import type { TokenVerifier } from "./auth/token-verifier.ts";
import type { Store } from "./db.ts";
import type { AlertFeed } from "./feed/alert-feed.ts";
import { AlertManager } from "./modules/alerts/alert.manager.ts";
import { EntityManager } from "./modules/entities/entity.manager.ts";
import { SensorManager } from "./modules/sensors/sensor.manager.ts";

/** The domain managers, built once per server and shared by every request. */
export interface Managers {
  alerts: AlertManager;
  sensors: SensorManager;
  entities: EntityManager;
}

/** What every resolver receives: who is calling (or why nobody is) and the managers. */
export interface VigilContext extends Managers {
  auth: Authentication;
}

/** The infrastructure a server is built from; passed in, never read from env. */
export interface Infrastructure {
  store: Store;
  alertFeed: AlertFeed;
  verifier: TokenVerifier;
  /** The identity graph (entity recent activity); optional: without it, entities have no activity. */
  graph?: IdentityGraph;
}

export function createManagers(infra: Infrastructure): Managers {
  return {
    alerts: new AlertManager(infra.store, infra.alertFeed),
    sensors: new SensorManager(infra.store),
    entities: new EntityManager(infra.store, infra.graph),
  };
}

/**
 * Authentication is resolved here but enforced in resolvers, so a missing or bad token becomes a
 * coded UNAUTHENTICATED GraphQL error on both servers instead of a transport-specific failure.
 */
export async function createContext(
  infra: Infrastructure,
  managers: Managers,
  authorization: string | undefined | null,
): Promise<VigilContext> {
  return { ...managers, auth: await infra.verifier.authenticate(authorization) };
}
