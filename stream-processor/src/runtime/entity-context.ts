/**
 * Admin entity tags (sensitive, honeytoken, excluded per detection, server roles) from the store into
 * the engine's per-tenant context. The store is the source of truth for tags: a refresh replaces the tag part of a
 * context wholesale (so an untagged entity stops counting) and keeps what the engine learned by itself
 * (domain controllers).
 *
 * Tag keys may carry a kind prefix (`user:S-1-5-21-…`, `computer:ws01`, `ip:10.0.0.5`); the context
 * wants bare refs (SID, name, host, IP or CIDR), so a known prefix is dropped.
 */
import type { EntityTag, RelationalStore } from "@vigil/db";
import {
  addExclusion,
  SERVER_ROLES,
  tagHoneytoken,
  tagRole,
  tagSensitive,
  type EntityContext,
  type ServerRole,
} from "../engine/context.ts";
import type { Engine } from "../engine/engine.ts";

const KIND_PREFIX = /^(user|account|computer|host|group|ip|sid|entity):/i;

/** The ref a tag names, as the context matches refs. */
export function tagRef(entityKey: string): string {
  return entityKey.trim().replace(KIND_PREFIX, "");
}

/**
 * A tag as the context takes it. `tag` is a stored tag kind or a server role (`dc`, `adfs`, `exchange`,
 * `adcs`): roles arrive on the same path once the store's tag kinds include them.
 */
export interface ContextTag {
  entityKey: string;
  tag: EntityTag["tag"] | ServerRole;
  detectionId: string | null;
}

const isRole = (tag: string): tag is ServerRole => (SERVER_ROLES as readonly string[]).includes(tag);

/** A context whose tags are exactly `tags` (learned DCs kept). */
export function withTags(ctx: EntityContext, tags: ContextTag[]): EntityContext {
  let next: EntityContext = { ...ctx, sensitive: [], honeytokens: [], exclusions: {}, roles: {} };
  for (const t of tags) {
    const ref = tagRef(t.entityKey);
    if (!ref) continue;
    if (t.tag === "sensitive") next = tagSensitive(next, ref);
    else if (t.tag === "honeytoken") next = tagHoneytoken(next, ref);
    else if (isRole(t.tag)) next = tagRole(next, t.tag, ref);
    else next = addExclusion(next, t.detectionId ?? "*", ref);
  }
  return next;
}

/**
 * Loads tags per tenant into the engine: a tenant's before its first event in this process (so tags
 * restored with a snapshot are refreshed too), then every loaded tenant periodically. Tenants this
 * processor never sees (another partition's) cost nothing.
 */
export class EntityContextLoader {
  readonly #loaded = new Set<string>();
  #refreshing: Promise<void> | undefined;

  constructor(
    private readonly store: RelationalStore,
    private readonly engine: Engine,
  ) {}

  /** Tenants whose tags are loaded. */
  get tenants(): number {
    return this.#loaded.size;
  }

  /** Makes sure a tenant's tags are in the engine before its first event. */
  async ensure(tenantId: string): Promise<void> {
    if (!this.#loaded.has(tenantId)) await this.load(tenantId);
  }

  /** Reloads one tenant's tags. */
  async load(tenantId: string): Promise<void> {
    const tags = await this.store.forTenant(tenantId).entityTag.findMany({
      select: { entityKey: true, tag: true, detectionId: true },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    this.engine.updateContext(tenantId, (ctx) => withTags(ctx, tags));
    this.#loaded.add(tenantId);
  }

  /** Reloads every loaded tenant; failures are reported and the old tags stay in force. One refresh at a time. */
  refresh(onError: (tenantId: string, err: unknown) => void): Promise<void> {
    this.#refreshing ??= (async () => {
      for (const id of [...this.#loaded]) await this.load(id).catch((err: unknown) => onError(id, err));
    })().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }
}
