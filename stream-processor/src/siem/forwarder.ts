/**
 * The SIEM forwarder: one bounded in-memory queue and one sender per tenant. Callers (the processor
 * after an alert is stored, the health monitor after an issue is raised) only enqueue, so a slow or
 * dead syslog receiver never holds back detection. The sender delivers in order and retries the head
 * with exponential back-off until it goes through; a message leaves the queue only once sent.
 *
 * When a queue is full the oldest message is dropped (newest alerts matter most to a SOC catching up),
 * counted in `stats().dropped` and reported through `onDropped`, which the processor turns into a
 * `siem-queue-overflow` health issue. Queues live in memory: notifications still queued when the
 * process stops are lost (the alerts themselves are in the store and the API).
 */
import { hostname as osHostname } from "node:os";
import type { AlertPayload } from "../sinks/alert-writer.ts";
import type { HealthIssueChange } from "../health/monitor.ts";
import { formatCef, type CefRecord } from "./cef.ts";
import { alertRecord, DEFAULT_CEF_SOURCE, healthRecord, testRecord, type CefSource } from "./records.ts";
import { syslogMessage } from "./syslog.ts";
import { createTransport, type SiemTargetConfig, type SyslogTransport } from "./transport.ts";

/** What a forwarder is built from. */
export interface SiemForwarderOptions {
  /** The tenant's target, or undefined when it has none (its notifications are discarded). */
  targets: (tenantId: string) => Promise<(SiemTargetConfig & { enabled?: boolean }) | undefined>;
  /** How long a looked-up target is reused. Default 30 s. */
  targetTtlMs?: number;
  /** Syslog HOSTNAME. Default this host's name. */
  hostname?: string;
  source?: Partial<CefSource>;
  /** Messages queued per tenant before the oldest is dropped. Default 1000. */
  maxQueue?: number;
  /** Back-off: base × 2^(attempt − 1), capped. Defaults 500 ms and 60 s. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  connectTimeoutMs?: number;
  clock?: () => Date;
  onDropped?: (tenantId: string, count: number) => void;
  log: (line: string) => void;
}

/** Counters since start. */
export interface SiemForwarderStats {
  queued: number;
  sent: number;
  dropped: number;
  /** Failed send attempts (each is retried). */
  failures: number;
  /** Discarded because the tenant has no (enabled) target. */
  discarded: number;
}

/** A running forwarder. */
export interface SiemForwarder {
  /** A stored alert: `new` when created, `update` when an existing one changed. */
  alert(alert: AlertPayload, trigger: "new" | "update"): void;
  /** A health-issue change; raised and reopened issues are sent (MDI sends new health issues). */
  healthChanged(change: HealthIssueChange): void;
  /** `sendTestSiemNotification`. */
  test(tenantId: string): void;
  /** Resolves when every queue is empty (or the tenant's, when given). */
  idle(tenantId?: string): Promise<void>;
  /** Forget cached targets (after an admin changed one). */
  invalidate(tenantId?: string): void;
  stats(): SiemForwarderStats;
  close(): Promise<void>;
}

interface Pending {
  cef: string;
  msgId: string;
  time: Date;
}

interface TenantQueue {
  items: Pending[];
  running: boolean;
  waiters: (() => void)[];
  transport?: { key: string; transport: SyslogTransport };
  target?: { value: (SiemTargetConfig & { enabled?: boolean }) | undefined; expires: number };
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Builds a forwarder; it sends as soon as something is queued. */
export function createSiemForwarder(options: SiemForwarderOptions): SiemForwarder {
  const source: CefSource = { ...DEFAULT_CEF_SOURCE, ...options.source };
  const host = options.hostname ?? (osHostname() || "vigil");
  const clock = options.clock ?? (() => new Date());
  const maxQueue = options.maxQueue ?? 1000;
  const base = options.retryBaseMs ?? 500;
  const cap = options.retryMaxMs ?? 60_000;
  const ttl = options.targetTtlMs ?? 30_000;
  const queues = new Map<string, TenantQueue>();
  const counters: SiemForwarderStats = { queued: 0, sent: 0, dropped: 0, failures: 0, discarded: 0 };
  const sleeping = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  let closed = false;

  const queueOf = (tenantId: string) => {
    let q = queues.get(tenantId);
    if (!q) queues.set(tenantId, (q = { items: [], running: false, waiters: [] }));
    return q;
  };

  function enqueue(tenantId: string, record: CefRecord) {
    if (closed) return;
    const q = queueOf(tenantId);
    let cef: string;
    try {
      cef = formatCef(record);
    } catch (err) {
      options.log(`SIEM record for tenant ${tenantId} not sent: ${errorText(err)}`);
      return;
    }
    q.items.push({ cef, msgId: record.classId, time: clock() });
    counters.queued++;
    if (q.items.length > maxQueue) {
      q.items.shift();
      counters.dropped++;
      try {
        options.onDropped?.(tenantId, 1);
      } catch (err) {
        options.log(`SIEM overflow listener failed: ${errorText(err)}`);
      }
    }
    if (!q.running) void run(tenantId, q);
  }

  async function target(tenantId: string, q: TenantQueue) {
    const now = Date.now();
    if (!q.target || q.target.expires <= now) q.target = { value: await options.targets(tenantId), expires: now + ttl };
    return q.target.value;
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = { timer: setTimeout(() => wake(), ms), wake: () => wake() };
      const wake = () => {
        clearTimeout(entry.timer);
        sleeping.delete(entry);
        resolve();
      };
      entry.timer.unref();
      sleeping.add(entry);
    });

  async function run(tenantId: string, q: TenantQueue) {
    q.running = true;
    let attempt = 0;
    try {
      while (!closed && q.items.length > 0) {
        const head = q.items[0]!;
        try {
          const t = await target(tenantId, q);
          if (!t || t.enabled === false) {
            counters.discarded += q.items.length;
            q.items.length = 0;
            break;
          }
          const key = JSON.stringify([t.host, t.port, t.protocol, t.caPem ?? "", t.serverName ?? ""]);
          if (q.transport?.key !== key) {
            await q.transport?.transport.close().catch(() => undefined);
            q.transport = { key, transport: createTransport(t, options.connectTimeoutMs) };
          }
          await q.transport.transport.send(
            syslogMessage(head.cef, { format: t.format, hostname: host, msgId: head.msgId, time: head.time }),
          );
          // Only the sent message leaves: an overflow during the send may have shifted the queue already.
          if (q.items[0] === head) q.items.shift();
          counters.sent++;
          attempt = 0;
        } catch (err) {
          counters.failures++;
          attempt++;
          const delay = Math.min(cap, base * 2 ** (attempt - 1));
          options.log(`SIEM delivery for tenant ${tenantId} failed (attempt ${attempt}, retry in ${delay} ms): ${errorText(err)}`);
          q.target = undefined;
          await sleep(delay);
        }
      }
    } finally {
      q.running = false;
      if (q.items.length === 0 || closed) for (const w of q.waiters.splice(0)) w();
    }
  }

  return {
    alert(alert, trigger) {
      enqueue(alert.tenantId, alertRecord(alert, trigger, source));
    },
    healthChanged(change) {
      if (change.change === "raised" || change.change === "reopened") enqueue(change.issue.tenantId, healthRecord(change.issue, source));
    },
    test(tenantId) {
      enqueue(tenantId, testRecord(tenantId, clock(), source));
    },
    async idle(tenantId) {
      const list = tenantId ? [queues.get(tenantId)].filter((q): q is TenantQueue => q !== undefined) : [...queues.values()];
      await Promise.all(list.filter((q) => q.items.length > 0 || q.running).map((q) => new Promise<void>((r) => q.waiters.push(r))));
    },
    invalidate(tenantId) {
      for (const [id, q] of queues) if (!tenantId || id === tenantId) q.target = undefined;
    },
    stats: () => ({ ...counters }),
    async close() {
      closed = true;
      for (const s of [...sleeping]) s.wake();
      await Promise.all([...queues.values()].map((q) => q.transport?.transport.close().catch(() => undefined)));
    },
  };
}
