import { issueSensorCreds, revokeNatsUsers, sensorUserPublicKey, type NatsIssuer, type SensorKeyRef } from "@vigil/sensor/bus";

/**
 * NATS credentials of sensors when NATS runs in operator (JWT) mode (docs/nats-auth.md): a user per
 * sensor key allowed only its tenant's event subjects, revoked on the server when the key is
 * rotated or the sensor revoked. Absent in the default no-auth deployment.
 */
export interface SensorNatsCredentials {
  /** The `.creds` text for this sensor key. */
  issue(ref: { tenantId: string; sensorId: string; keyHash: string }): Promise<string>;
  /** Refuses these sensor keys' NATS users from now on and closes their connections. */
  revoke(refs: { tenantId: string; sensorId: string; keyHash: string }[]): Promise<void>;
}

/** Options of createSensorNatsCredentials; the issuer comes from the file `vigil nats-init` wrote. */
export interface SensorNatsOptions {
  issuer: NatsIssuer;
  /** NATS servers that take the account updates (any node of the cluster). */
  servers: string | string[];
  /** The bus namespace the sensors publish under (VIGIL_BUS_NAMESPACE). */
  namespace?: string;
  /** Per NATS request (default 3000 ms): revocation runs inside the mutation's transaction. */
  timeoutMs?: number;
}

/** Issues and revokes sensor credentials with the deployment's issuer keys. */
export function createSensorNatsCredentials(options: SensorNatsOptions): SensorNatsCredentials {
  const withNs = (ref: SensorKeyRef): SensorKeyRef => (options.namespace ? { ...ref, namespace: options.namespace } : ref);
  return {
    issue: async (ref) => (await issueSensorCreds(options.issuer, withNs(ref))).creds,
    revoke: (refs) =>
      revokeNatsUsers(
        { servers: options.servers, issuer: options.issuer, timeoutMs: options.timeoutMs ?? 3000 },
        refs.map((ref) => sensorUserPublicKey(options.issuer, ref)),
      ),
  };
}
