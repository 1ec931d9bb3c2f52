import { randomUUID } from "node:crypto";
import type { Viewer } from "../../auth/viewer.ts";
import { type Store, type TenantTx, inViewerTenant } from "../../db.ts";
import { ErrorCode, VigilError, badInput, notConfigured, notFound } from "../../errors.ts";
import { recordAudit } from "../audit/audit.storage.ts";
import type { DirectoryConnectionTester } from "./directory-tester.ts";
import type { SecretBox } from "./secret-box.ts";
import type { DirectoryConnectionTest, DirectoryCredential, DirectoryCredentialInput } from "./credential.types.ts";

/** MDI's ceiling on directory-service accounts per workspace. */
export const MAX_CREDENTIALS = 30;
const MAX_FIELD = 256;
const MAX_PASSWORD = 1024;
const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

// Every column but secret_jwe: the secret is selected only where it is decrypted to test a bind.
const COLUMNS = {
  id: true,
  name: true,
  username: true,
  domainName: true,
  ldapUrl: true,
  createdAt: true,
  rotatedAt: true,
  lastTestAt: true,
  lastTestOk: true,
} as const;

/** Directory-service credentials: add, rotate, remove, test; passwords sealed with the deployment key. */
export class CredentialManager {
  constructor(
    private readonly store: Store,
    private readonly box?: SecretBox,
    private readonly tester?: DirectoryConnectionTester,
  ) {}

  async list(viewer: Viewer): Promise<DirectoryCredential[]> {
    return inViewerTenant(this.store, viewer, (tx) =>
      tx.directoryServiceCredential.findMany({ select: COLUMNS, where: { tenantId: viewer.tenantId }, orderBy: { name: "asc" } }),
    );
  }

  async add(viewer: Viewer, input: DirectoryCredentialInput): Promise<DirectoryCredential> {
    const box = this.requireBox();
    const fields = validateFields(input);
    const password = validatePassword(input.password);
    const id = randomUUID();
    const secretJwe = await box.seal(password, { tenantId: viewer.tenantId, credentialId: id });
    return inViewerTenant(
      this.store,
      viewer,
      async (tx) => {
        await lockTenantCredentials(tx, viewer.tenantId);
        const count = await tx.directoryServiceCredential.count({ where: { tenantId: viewer.tenantId } });
        if (count >= MAX_CREDENTIALS) {
          throw new VigilError(ErrorCode.LIMIT_EXCEEDED, `a tenant holds at most ${MAX_CREDENTIALS} directory credentials`);
        }
        const taken = await tx.directoryServiceCredential.findFirst({
          select: { id: true },
          where: { tenantId: viewer.tenantId, name: fields.name },
        });
        if (taken) throw badInput(`a credential named "${fields.name}" already exists`);
        const created = await tx.directoryServiceCredential.create({
          select: COLUMNS,
          data: { id, tenantId: viewer.tenantId, ...fields, secretJwe },
        });
        await recordAudit(tx, viewer, { action: "credential:add", target: `credential:${id}`, after: { ...fields, password: "set" } });
        return created;
      },
      SERIALIZED_TX,
    );
  }

  /** Replaces the password (and nothing else). */
  async rotate(viewer: Viewer, id: string, rawPassword: string, now = new Date()): Promise<DirectoryCredential> {
    const box = this.requireBox();
    const secretJwe = await box.seal(validatePassword(rawPassword), { tenantId: viewer.tenantId, credentialId: id });
    return inViewerTenant(this.store, viewer, async (tx) => {
      const { count } = await tx.directoryServiceCredential.updateMany({
        where: { tenantId: viewer.tenantId, id },
        data: { secretJwe, rotatedAt: now, lastTestAt: null, lastTestOk: null },
      });
      if (count === 0) throw notFound("Directory credential");
      await recordAudit(tx, viewer, { action: "credential:rotate", target: `credential:${id}`, after: { password: "rotated" } });
      return tx.directoryServiceCredential.findFirstOrThrow({ select: COLUMNS, where: { tenantId: viewer.tenantId, id } });
    });
  }

  /** Deletes the credential; false when the tenant had none with this id. */
  async remove(viewer: Viewer, id: string): Promise<boolean> {
    return inViewerTenant(this.store, viewer, async (tx) => {
      const before = await tx.directoryServiceCredential.findFirst({ select: COLUMNS, where: { tenantId: viewer.tenantId, id } });
      const { count } = await tx.directoryServiceCredential.deleteMany({ where: { tenantId: viewer.tenantId, id } });
      await recordAudit(tx, viewer, {
        action: "credential:remove",
        target: `credential:${id}`,
        before: before ? { name: before.name, username: before.username, domainName: before.domainName } : undefined,
      });
      return count > 0;
    });
  }

  /** Binds to the DC with the stored password and records the outcome on the credential. */
  async testConnection(viewer: Viewer, id: string, now = () => new Date()): Promise<DirectoryConnectionTest> {
    const box = this.requireBox();
    if (!this.tester) throw notConfigured("no directory connection tester is configured");
    const row = await inViewerTenant(this.store, viewer, (tx) =>
      tx.directoryServiceCredential.findFirst({ select: { ...COLUMNS, secretJwe: true }, where: { tenantId: viewer.tenantId, id } }),
    );
    if (!row) throw notFound("Directory credential");
    const password = await box.open(row.secretJwe, { tenantId: viewer.tenantId, credentialId: id });
    const result = await this.tester.test({
      ldapUrl: row.ldapUrl ?? `ldap://${row.domainName}`,
      bindName: /[@\\]/.test(row.username) ? row.username : `${row.username}@${row.domainName}`,
      password,
    });
    const testedAt = now();
    await inViewerTenant(this.store, viewer, async (tx) => {
      await tx.directoryServiceCredential.updateMany({
        where: { tenantId: viewer.tenantId, id },
        data: { lastTestAt: testedAt, lastTestOk: result.ok },
      });
      await recordAudit(tx, viewer, {
        action: "credential:test",
        target: `credential:${id}`,
        after: { ok: result.ok, reason: result.ok ? null : result.reason },
      });
    });
    return result.ok
      ? { ok: true, reason: null, message: null, testedAt }
      : { ok: false, reason: result.reason, message: result.message, testedAt };
  }

  private requireBox(): SecretBox {
    if (!this.box) throw notConfigured("directory credentials need a secrets key (VIGIL_SECRETS_KEY)");
    return this.box;
  }
}

// Adds of one tenant queue on the lock below; Prisma's default 2 s to get a connection and 5 s per
// transaction would turn a burst of adds into INTERNAL errors instead of a short wait.
const SERIALIZED_TX = { maxWait: 15_000, timeout: 30_000 };

// Serializes adds per tenant so two concurrent adds cannot both see 29 and end at 31.
async function lockTenantCredentials(tx: TenantTx, tenantId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`credentials:${tenantId}`}))`;
}

function validateFields(input: DirectoryCredentialInput) {
  const name = input.name.trim();
  const username = input.username.trim();
  const domainName = input.domainName.trim().toLowerCase();
  const ldapUrl = input.ldapUrl?.trim() || null;
  if (name.length === 0 || name.length > 100) throw badInput("name must be 1-100 characters");
  if (username.length === 0 || username.length > MAX_FIELD || [...username].some((c) => c.charCodeAt(0) < 0x20))
    throw badInput("username must be 1-256 printable characters");
  if (!DOMAIN.test(domainName)) throw badInput("domainName must be a DNS domain name, e.g. corp.example.com");
  if (ldapUrl !== null) {
    let url: URL | undefined;
    try {
      url = new URL(ldapUrl);
    } catch {
      url = undefined;
    }
    if (!url || !["ldap:", "ldaps:"].includes(url.protocol) || !url.hostname || url.pathname.length > 1 || url.username || url.password) {
      throw badInput("ldapUrl must be ldap://host[:port] or ldaps://host[:port]");
    }
  }
  return { name, username, domainName, ldapUrl };
}

function validatePassword(password: string): string {
  if (password.length === 0 || password.length > MAX_PASSWORD) throw badInput(`password must be 1-${MAX_PASSWORD} characters`);
  return password;
}
