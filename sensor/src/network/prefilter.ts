/**
 * Which captured frames can matter to the network source, judged from link, IP and port headers
 * only (no protocol is dissected here: tshark does that). Frames are dropped only when they are
 * positively known to be something no mapper reads: TCP / UDP between ports none of our protocols
 * use, TCP segments that only acknowledge (see isPureAck), ARP, ICMP and 802.3 LLC frames. Anything
 * this code cannot read (other link types, tunnels, IP fragments, IPsec, cut headers) is kept, so a
 * doubt always costs tshark time, never an event.
 */
import { DC_PORTS } from "./tshark.ts";

/**
 * TCP ports kept besides the DC ports: HTTP (80, 8080) and WinRM over HTTP (5985) carry NTLMSSP and
 * Kerberos in clear authorization headers (NTLM relayed from HTTP, AD CS web enrollment on a DC).
 */
const EXTRA_TCP = [80, 8080, 5985];
/**
 * UDP ports kept besides the DC ports: NetBIOS name and datagram services (SMB mailslots), mDNS and
 * LLMNR, which tshark dissects with the DNS fields the DNS mapper reads.
 */
const EXTRA_UDP = [137, 138, 5353, 5355];

const tcpPorts = new Uint8Array(65536);
const udpPorts = new Uint8Array(65536);
for (const p of [...DC_PORTS, ...EXTRA_TCP]) tcpPorts[p] = 1;
for (const p of [...DC_PORTS, ...EXTRA_UDP]) udpPorts[p] = 1;

/**
 * Lowest port of the dynamic RPC range (Windows and Samba: 49152-65535), where DRSUAPI, Netlogon,
 * SAM-R and LSARPC over TCP listen after the endpoint mapper (135) names the port.
 */
const DYNAMIC_RPC = 49152;
/** Lowest ephemeral client port of Linux (32768-60999); Windows clients use the dynamic range too. */
const EPHEMERAL = 32768;

/**
 * TCP between two ports is kept when one is a DC port or both could be a client's ephemeral port and
 * a dynamic RPC endpoint: the endpoint mapper's answers are not read here, so every connection that
 * may be dynamic RPC stays (a registered service such as RDP 3389 or HTTPS 443 does not).
 */
export function keepsTcp(a: number, b: number): boolean {
  if (tcpPorts[a] === 1 || tcpPorts[b] === 1) return true;
  const low = a < b ? a : b;
  const high = a < b ? b : a;
  return high >= DYNAMIC_RPC && low >= EPHEMERAL;
}

/** UDP between two ports is kept when one is a port a mapped protocol uses. */
export function keepsUdp(a: number, b: number): boolean {
  return udpPorts[a] === 1 || udpPorts[b] === 1;
}

/** Link-layer header types (pcap LINKTYPE_*) whose framing is read here; any other is kept whole. */
const ETHERNET = 1;
const NULL_LOOPBACK = 0;
const OPENBSD_LOOP = 108;
const RAW_IP = [101, 12, 14];
const IPV4_ONLY = 228;
const IPV6_ONLY = 229;
const LINUX_SLL = 113;
const LINUX_SLL2 = 276;

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_ARP = 0x0806;
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);

/** True when the frame may carry something a mapper reads (see the module comment for what is dropped). */
export function keepsFrame(linkType: number, frame: Uint8Array): boolean {
  switch (linkType) {
    case ETHERNET:
      return keepsEthernet(frame);
    case LINUX_SLL:
      return frame.length < 16 ? true : keepsEthertype(frame, u16(frame, 14), 16);
    case LINUX_SLL2:
      return frame.length < 20 ? true : keepsEthertype(frame, u16(frame, 0), 20);
    case IPV4_ONLY:
    case IPV6_ONLY:
      return keepsIp(frame, 0);
    case NULL_LOOPBACK:
    case OPENBSD_LOOP:
      return frame.length < 4 ? true : keepsIp(frame, 4);
    default:
      return RAW_IP.includes(linkType) ? keepsIp(frame, 0) : true;
  }
}

function keepsEthernet(f: Uint8Array): boolean {
  if (f.length < 14) return true;
  let at = 12;
  let type = u16(f, at);
  for (let tags = 0; VLAN_TAGS.has(type) && tags < 2; tags++) {
    at += 4;
    if (f.length < at + 2) return true;
    type = u16(f, at);
  }
  // Below 0x0600 the field is an 802.3 length: LLC frames (spanning tree, CDP, NetBEUI), no IP.
  if (type < 0x0600) return false;
  return keepsEthertype(f, type, at + 2);
}

function keepsEthertype(f: Uint8Array, type: number, at: number): boolean {
  if (type === ETH_IPV4 || type === ETH_IPV6) return keepsIp(f, at);
  return type !== ETH_ARP;
}

/** An IPv4 or IPv6 packet at `at` (the version nibble decides). */
function keepsIp(f: Uint8Array, at: number): boolean {
  if (f.length < at + 1) return true;
  const version = f[at]! >> 4;
  if (version === 4) return keepsIpv4(f, at);
  if (version === 6) return keepsIpv6(f, at);
  return true;
}

const TCP = 6;
const UDP = 17;
const ICMP = 1;
const ICMPV6 = 58;

function keepsIpv4(f: Uint8Array, at: number): boolean {
  if (f.length < at + 20) return true;
  const ihl = (f[at]! & 0x0f) * 4;
  // More-fragments or a fragment offset: later fragments have no ports, tshark reassembles them all.
  if (ihl < 20 || (u16(f, at + 6) & 0x3fff) !== 0) return true;
  // A total length of 0 is a segmentation-offloaded packet captured before the NIC split it: unknown.
  const total = u16(f, at + 2);
  return keepsTransport(f, f[at + 9]!, at + ihl, ICMP, total >= ihl ? at + total : -1);
}

/** IPv6 extension headers walked to reach the transport header (hop-by-hop, routing, destination, AH). */
const IPV6_EXTENSIONS = new Set([0, 43, 60, 51]);
const IPV6_FRAGMENT = 44;

function keepsIpv6(f: Uint8Array, at: number): boolean {
  if (f.length < at + 40) return true;
  let next = f[at + 6]!;
  let pos = at + 40;
  for (let hops = 0; IPV6_EXTENSIONS.has(next) && hops < 8; hops++) {
    if (f.length < pos + 2) return true;
    const len = next === 51 ? (f[pos + 1]! + 2) * 4 : (f[pos + 1]! + 1) * 8;
    next = f[pos]!;
    pos += len;
  }
  if (next === IPV6_FRAGMENT) return true;
  // A payload length of 0 with a hop-by-hop header is a jumbogram: its length is elsewhere, unknown here.
  const payload = u16(f, at + 4);
  return keepsTransport(f, next, pos, ICMPV6, payload > 0 ? at + 40 + payload : -1);
}

const SYN_FIN_RST = 0x07;

/** `end` is where the IP payload ends (from the IP header, never the captured length), -1 when unknown. */
function keepsTransport(f: Uint8Array, protocol: number, at: number, icmp: number, end: number): boolean {
  if (protocol === icmp) return false;
  if (protocol !== TCP && protocol !== UDP) return true;
  if (f.length < at + 4) return true;
  const a = u16(f, at);
  const b = u16(f, at + 2);
  if (protocol === UDP) return keepsUdp(a, b);
  if (!keepsTcp(a, b)) return false;
  return !isPureAck(f, at, end);
}

/**
 * A TCP segment with no payload and no SYN, FIN or RST: a quarter of a DC's frames, and nothing in
 * them is dissected. tshark's sequence analysis reads ACKs, but only to tell kinds of re-sent data
 * apart (fast retransmission, out-of-order, spurious): without them a re-sent segment is still
 * classed retransmission or out-of-order, both of which tshark leaves undissected (a spurious
 * retransmission, re-sent data already acknowledged, is the one kind it dissects again; without the
 * ACKs it is classed a plain retransmission, so the change is at most one duplicate fewer).
 * Reassembly follows sequence numbers of the data segments only. Handshake SYNs and FINs are kept.
 */
function isPureAck(f: Uint8Array, at: number, end: number): boolean {
  if (end < 0 || f.length < at + 14) return false;
  const header = (f[at + 12]! >> 4) * 4;
  return header >= 20 && end - at === header && (f[at + 13]! & SYN_FIN_RST) === 0;
}

const u16 = (f: Uint8Array, at: number) => (f[at]! << 8) | f[at + 1]!;
