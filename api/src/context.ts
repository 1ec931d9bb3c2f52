import type { IdentityGraph } from "@vigil/graph-model";
import type { Authentication } from "./auth/viewer.ts";
import type { TokenVerifier } from "./auth/token-verifier.ts";
import type { Store } from "./db.ts";
import type { AlertFeed } from "./feed/alert-feed.ts";
import { AlertTriageManager } from "./modules/alerts/alert-triage.manager.ts";
import { AlertManager } from "./modules/alerts/alert.manager.ts";
import { AuditManager } from "./modules/audit/audit.manager.ts";
import { CredentialManager } from "./modules/credentials/credential.manager.ts";
import type { DirectoryConnectionTester } from "./modules/credentials/directory-tester.ts";
import type { SecretBox } from "./modules/credentials/secret-box.ts";
import { EntityManager } from "./modules/entities/entity.manager.ts";
import { type HealthFeed, HealthManager, type SiemTestRequester } from "./modules/health/index.ts";
import { SensorKeyManager, SensorManager } from "./modules/sensors/sensor.manager.ts";
import type { SensorNatsCredentials } from "./modules/sensors/sensor-nats.ts";
import { PrivacyManager } from "./modules/privacy/privacy.manager.ts";
import { PathManager } from "./modules/paths/paths.manager.ts";
import { PostureManager } from "./modules/posture/index.ts";
import { SiemManager } from "./modules/siem/siem.manager.ts";
import { TenantManager } from "./modules/tenants/tenant.manager.ts";
import { IngestQuotaManager } from "./modules/tenants/ingest-quota.manager.ts";
import type { IngestQuota as IngestQuotaDefaults } from "@vigil/sensor/contract";

/** The domain managers, built once per server and shared by every request. */
export interface Managers {
  alerts: AlertManager;
  triage: AlertTriageManager;
  sensors: SensorManager;
  sensorKeys: SensorKeyManager;
  entities: EntityManager;
  siem: SiemManager;
  credentials: CredentialManager;
  audit: AuditManager;
  tenants: TenantManager;
  ingestQuotas: IngestQuotaManager;
  health: HealthManager;
  privacy: PrivacyManager;
  paths: PathManager;
  posture: PostureManager;
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
  /** Seals directory-service passwords; absent: credential mutations answer NOT_CONFIGURED. */
  secretBox?: SecretBox;
  /** Binds to a DC for testDirectoryCredential; absent: that mutation answers NOT_CONFIGURED. */
  directoryTester?: DirectoryConnectionTester;
  /** Live health-issue changes per tenant (health module). */
  healthFeed?: HealthFeed;
  /** Asks the forwarder to send a test notification to the tenant's SIEM (health module). */
  siemTests?: SiemTestRequester;
  /** Operator-mode NATS: sensors get NATS credentials, revoked with their keys (sensors module). */
  sensorNats?: SensorNatsCredentials;
  /** The deployment's ingest quota for tenants that set none (env VIGIL_INGEST_*); absent: the built-in default. */
  ingestQuotaDefaults?: IngestQuotaDefaults;
}

export function createManagers(infra: Infrastructure): Managers {
  return {
    alerts: new AlertManager(infra.store, infra.alertFeed),
    triage: new AlertTriageManager(infra.store),
    sensors: new SensorManager(infra.store, undefined, infra.sensorNats),
    sensorKeys: new SensorKeyManager(infra.store, infra.sensorNats),
    entities: new EntityManager(infra.store, infra.graph),
    siem: new SiemManager(infra.store),
    credentials: new CredentialManager(infra.store, infra.secretBox, infra.directoryTester),
    audit: new AuditManager(infra.store),
    tenants: new TenantManager(infra.store),
    ingestQuotas: new IngestQuotaManager(infra.store, infra.ingestQuotaDefaults),
    health: new HealthManager(infra.store, infra.healthFeed, infra.siemTests),
    privacy: new PrivacyManager(infra.store, infra.graph),
    paths: new PathManager(infra.graph),
    posture: new PostureManager(infra.store),
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
  known?: Authentication,
): Promise<VigilContext> {
  return { ...managers, auth: known ?? (await infra.verifier.authenticate(authorization)) };
}
