import { isIP } from "node:net";
import type { EventOf } from "@vigil/sensor/contract";
import { DAY, HOUR, defineDetection } from "../engine/detection.ts";
import { normIp, normName } from "../engine/names.ts";
import { accountEntity, hostEntity, present, sourceOf } from "./entities.ts";

const ID = "suspicious-vpn-connection";
const TITLE = "Suspicious VPN connection";
/** MDI 2025: 30 days from the user's first VPN connection… */
export const LEARNING_DAYS = 30;
/** …and at least 5 VPN connections in the last 30 days, per user. */
export const MIN_CONNECTIONS = 5;
const RECENT_MS = 30 * DAY;
/** Profiles of users who stop connecting are forgotten after this much event time. */
const PROFILE_TTL_MS = 60 * DAY;
/** Bounds per user: remembered connection times, and networks / clients / NAS per kind. */
const MAX_TIMES = 100;
const MAX_PER_KIND = 50;
/** A session is counted once whichever of Start / Interim / Stop arrives first (a lost Start still counts). */
const SESSION_TTL_MS = 2 * DAY;

type Seen = Record<string, number>;
// A type alias, not an interface, so it is assignable to state's Json.
type Profile = {
  first: number;
  /** Event times of the connections in the last 30 days (at most MAX_TIMES). */
  times: number[];
  /** Source network (/16 of IPv4, /32 of IPv6) or, for a non-IP Calling-Station-Id, the client id → last seen. */
  places: Seen;
  /** NAS (VPN concentrator) → last seen: reported in the alert, not alerted on alone. */
  nas: Seen;
};

/**
 * Suspicious VPN connection (MDI 2025; T1133). Stolen VPN credentials are used from the attacker's
 * infrastructure, somewhere the user never connects from; MDI models each user's VPN behaviour (the
 * machines and locations they connect from) over a sliding month.
 *
 * Signal: `radius.accounting` sessions (RFC 2866 Start / Interim-Update / Stop from the VPN's
 * RADIUS accounting; a session counts once, whichever packet arrives first). Per user, the
 * networks connected from: the /16 of an IPv4 Calling-Station-Id (the /32 prefix of IPv6), or the
 * Calling-Station-Id itself when it is not an address (a MAC or client id). Without a GeoIP or ASN
 * database offline, a /16 is the honest stand-in for "location / provider": an ISP's dynamic
 * addresses mostly stay within one, another country or hosting provider almost never shares it.
 * Thresholds: MDI's learning — quiet until the user's first connection is ≥ 30 days old AND the user
 * made ≥ 5 connections in the last 30 days; then a connection from a network not seen for the
 * user in the last 60 days alerts, medium, once per network (then it is learned). The alert states
 * the baseline (days, connections, networks) and whether the NAS is new too.
 *
 * Left out, and why: "new country / ASN" needs a GeoIP / ASN database, which Vigil does not ship;
 * "impossible travel" needs a location per address, so it is not evaluated (no alert claims it).
 * A new NAS alone is not alerted: load-balanced concentrators hand users around.
 *
 * Known benign causes and how they are handled:
 * - travel, a new home ISP, mobile tethering: one alert per new network, then learned; acknowledge.
 * - carrier-grade NAT and mobile networks moving between /16s: a user on such a network keeps
 *   adding networks; after the first alert each is learned, and the profile is bounded (50 networks).
 * - sessions without a Calling-Station-Id (some NAS omit it) carry no network and never alert.
 * - shared service accounts used by many people (exclude them via ctx exclusions).
 */
export const suspiciousVpnConnection = defineDetection({
  id: ID,
  title: TITLE,
  severity: "medium",
  mitre: ["T1133"],
  sources: ["R"],
  kinds: ["radius.accounting"],
  learningPeriodDays: LEARNING_DAYS,
  windowMs: HOUR,
  description:
    "A user connected to the VPN from a network never seen for them, after a 30-day, 5-connection baseline; the alert says what the baseline rests on.",
  recommendedActions: [
    "Ask the user whether they connected from that network; if not, disable the VPN account, reset its password and end its sessions.",
    "Check what the session reached (its Framed-IP-Address) while it was connected.",
  ],
  evaluate(event, state) {
    const user = normName(event.actor?.name ?? event.userName);
    if (!user) return [];
    const nas = event.target?.host ?? event.nasIp ?? "";
    if (!state.firstSeen("session:", `${user}:${nas}:${event.sessionId}`, SESSION_TTL_MS)) return [];
    const stored = state.get<Profile>("profile:", user) ?? { first: state.now, times: [], places: {}, nas: {} };
    const profile = { ...stored, places: fresh(stored.places, state.now), nas: fresh(stored.nas, state.now) };
    const recent = profile.times.filter((t) => t > state.now - RECENT_MS);
    const days = Math.floor((state.now - profile.first) / DAY);
    const ready = days >= LEARNING_DAYS && recent.length >= MIN_CONNECTIONS;
    const place = placeOf(event);
    const knownPlace = place === undefined || place in profile.places;
    const newNas = nas !== "" && !(nas in profile.nas);
    const next: Profile = {
      first: profile.first,
      times: [...recent, state.now].slice(-MAX_TIMES),
      places: place ? remember(profile.places, place, state.now) : profile.places,
      nas: nas ? remember(profile.nas, nas, state.now) : profile.nas,
    };
    state.set("profile:", user, next, PROFILE_TTL_MS);
    if (!ready || knownPlace) return [];

    const places = Object.keys(profile.places).length;
    const from = event.callingStation ?? place;
    const baseline = `Baseline: ${days} days, ${recent.length} connections in the last 30 days from ${places} network${places === 1 ? "" : "s"}.`;
    return [
      {
        detectionId: ID,
        severity: "medium",
        title: TITLE,
        description:
          `${event.userName} connected to the VPN from ${from} (network ${place}), which this user has not connected from before` +
          `${newNas ? `, through ${nas}, a VPN server the user has not used either` : ""}. ${baseline}`,
        primaryEntity: `account:${user}`,
        entities: present(
          accountEntity("actor", event.actor ?? { name: event.userName }),
          sourceOf(event)?.entity,
          hostEntity("target", nas || undefined),
        ),
        evidenceEventIds: [event.id],
        time: event.time,
      },
    ];
  },
});

/** The network a session came from: IPv4 /16, IPv6 /32, else the Calling-Station-Id as given. */
function placeOf(event: EventOf<"radius.accounting">): string | undefined {
  const station = event.callingStation?.trim();
  if (!station) return undefined;
  const ip = normIp(station);
  // node's isIP, not a character test: a MAC address (Wi-Fi 802.1X) would pass for IPv6.
  const family = ip ? isIP(ip) : 0;
  if (!ip || family === 0) return `client:${station.toLowerCase()}`;
  if (family === 4) return `${ip.split(".").slice(0, 2).join(".")}.0.0/16`;
  const groups = expandIpv6(ip);
  return groups ? `${groups.slice(0, 2).join(":")}::/32` : `client:${ip}`;
}

function expandIpv6(ip: string): string[] | undefined {
  const [head, tail] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  if (tail === undefined && left.length !== 8) return undefined;
  return [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
}

/** Entries seen within the profile's 60 days; older ones no longer count as known. */
function fresh(seen: Seen, now: number): Seen {
  return Object.fromEntries(Object.entries(seen).filter(([, t]) => t > now - PROFILE_TTL_MS));
}

/** Adds or refreshes one entry, dropping the least recently seen beyond the bound. */
function remember(seen: Seen, key: string, now: number): Seen {
  const next: Seen = { ...seen, [key]: now };
  const keys = Object.keys(next);
  if (keys.length <= MAX_PER_KIND) return next;
  const oldest = keys.reduce((a, b) => (next[a]! <= next[b]! ? a : b));
  delete next[oldest];
  return next;
}
