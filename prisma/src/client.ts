import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaClient } from "./generated/prisma/client.ts";

/**
 * Fields every client of this package leaves out of results unless a query asks for them with
 * `omit: { secretJwe: false }`: the encrypted directory-service secret is read only to connect to
 * LDAP, never to answer the API.
 */
export const OMITTED_SECRETS = { directoryServiceCredential: { secretJwe: true } } as const;

/** The Prisma client type this package hands out (secrets omitted by default). */
export type VigilPrismaClient = PrismaClient<never, typeof OMITTED_SECRETS>;

/** A Prisma client over the given driver adapter (PostgreSQL or PGlite). */
export function createPrismaClient(adapter: SqlDriverAdapterFactory): VigilPrismaClient {
  return new PrismaClient({ adapter, omit: OMITTED_SECRETS });
}
