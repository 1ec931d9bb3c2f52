import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { isIP } from "node:net";
import { finalizeEvent, InvalidEventError, type EventOf } from "../contract/index.ts";
import { mapAccounting } from "./map.ts";
import { accountingResponse, parseAccountingRequest, requestAuthenticatorValid, type DropReason } from "./packet.ts";

/** Shared secrets: one per NAS address, and a default for any other client (or none: unknown NAS are dropped). */
export interface RadiusSecrets {
  default?: string;
  clients?: Readonly<Record<string, string>>;
}

export interface RadiusServerOptions {
  tenantId: string;
  sensorId: string;
  secrets: RadiusSecrets;
  /** UDP port (default 1813, RFC 2866; 0 picks a free one). */
  port?: number;
  /** Address to bind (default `0.0.0.0`). */
  host?: string;
  /**
   * Records one session event. The response is sent only once this resolves (RFC 2866 §4.1: a server
   * answers only what it has recorded); if it rejects, the NAS gets no answer and retransmits.
   */
  onEvent: (event: EventOf<"radius.accounting">) => Promise<void> | void;
  /** A datagram dropped (never answered), or a request answered but giving no event, with why. */
  onProblem?: (problem: RadiusProblem) => void;
  /** Clock for requests without Event-Timestamp (tests fix it). */
  now?: () => Date;
}

/** What happened to one datagram that did not become an event. */
export interface RadiusProblem {
  client: string;
  reason: DropReason | "unmappable" | "record-failed" | "no-event";
  detail: string;
}

/** Counters: datagrams received, answered, events recorded, drops by reason. `bad-authenticator` is a secret mismatch. */
export interface RadiusStats {
  received: number;
  answered: number;
  events: number;
  dropped: Partial<Record<RadiusProblem["reason"], number>>;
}

/** A running accounting server. */
export interface RadiusServer {
  /** The bound UDP port (the real one when 0 was asked). */
  port: number;
  stats(): RadiusStats;
  close(): Promise<void>;
}

/** Starts the RFC 2866 accounting server: authenticated Accounting-Requests become `radius.accounting` events. Never throws on bad input. */
export async function startRadiusServer(options: RadiusServerOptions): Promise<RadiusServer> {
  const stats: RadiusStats = { received: 0, answered: 0, events: 0, dropped: {} };
  const socket: Socket = createSocket(isIP(options.host ?? "") === 6 ? "udp6" : "udp4");
  const now = options.now ?? (() => new Date());
  const problem = (client: string, reason: RadiusProblem["reason"], detail: string) => {
    stats.dropped[reason] = (stats.dropped[reason] ?? 0) + 1;
    options.onProblem?.({ client, reason, detail });
  };

  const handle = async (datagram: Buffer, from: RemoteInfo) => {
    stats.received++;
    const client = from.address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
    const parsed = parseAccountingRequest(datagram);
    if (!parsed.ok) return problem(client, parsed.reason, parsed.detail);
    const secret = options.secrets.clients?.[client] ?? options.secrets.default;
    if (secret === undefined) return problem(client, "unknown-client", "no shared secret configured for this NAS");
    if (!requestAuthenticatorValid(parsed.request, secret))
      return problem(client, "bad-authenticator", "Request Authenticator does not match: the NAS uses another shared secret");
    const mapped = mapAccounting(parsed.request, { tenantId: options.tenantId, sensorId: options.sensorId, client, receivedAt: now() });
    if ("skip" in mapped) problem(client, "no-event", mapped.skip);
    else {
      const event = "draft" in mapped ? validated(mapped.draft) : mapped.problem;
      // Authentic but unusable: answered all the same, or the NAS would retransmit it forever.
      if (typeof event === "string") problem(client, "unmappable", event);
      else {
        try {
          await options.onEvent(event);
        } catch (error) {
          return problem(client, "record-failed", `not recorded, so not answered: ${(error as Error).message}`);
        }
        stats.events++;
      }
    }
    socket.send(accountingResponse(parsed.request, secret), from.port, from.address, (error) => {
      if (!error) stats.answered++;
    });
  };

  socket.on("message", (datagram, from) => {
    handle(datagram, from).catch((error: unknown) => problem(from.address, "record-failed", (error as Error).message));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(options.port ?? 1813, options.host ?? "0.0.0.0", () => {
      socket.off("error", reject);
      resolve();
    });
  });
  // After binding, socket errors (ICMP unreachable on send…) must not crash the sensor.
  socket.on("error", (error) => problem("-", "record-failed", `socket: ${error.message}`));
  return {
    port: socket.address().port,
    stats: () => ({ ...stats, dropped: { ...stats.dropped } }),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** The event with its id, or why the contract refuses it. */
function validated(draft: Parameters<typeof finalizeEvent>[0]): EventOf<"radius.accounting"> | string {
  try {
    return finalizeEvent(draft) as EventOf<"radius.accounting">;
  } catch (error) {
    if (error instanceof InvalidEventError) return error.message;
    throw error;
  }
}

/**
 * Parses `VIGIL_RADIUS_CLIENTS`-style text: `10.0.0.1=secret1,10.0.0.2=secret2` (a secret may not
 * contain a comma). Throws with the bad entry named.
 */
export function parseRadiusClients(text: string): Record<string, string> {
  const clients: Record<string, string> = {};
  for (const entry of text
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf("=");
    const ip = eq > 0 ? entry.slice(0, eq).trim() : "";
    if (!isIP(ip) || eq === entry.length - 1)
      throw new Error(`RADIUS client entry ${JSON.stringify(entry.replace(/=.*/, "=…"))} is not IP=secret`);
    clients[ip] = entry.slice(eq + 1);
  }
  return clients;
}
