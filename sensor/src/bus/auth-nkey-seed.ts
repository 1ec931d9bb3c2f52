/**
 * Encodes 32 chosen bytes as an nkey user seed (`SU…`). @nats-io/nkeys only makes seeds from random
 * bytes and keeps its encoder internal; Vigil derives each sensor's user key from a secret instead
 * (auth-issuer.ts), so it needs the encoding, which the nkeys format fixes: two prefix bytes (seed
 * marker + key type), the raw seed, a CRC-16/XMODEM little-endian, all in unpadded RFC 4648 base32.
 * `fromSeed` of the result re-checks prefix and CRC, so a mistake here cannot pass silently.
 */
import { fromSeed, Prefix, type KeyPair } from "@nats-io/nkeys";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function crc16(data: Uint8Array): number {
  let crc = 0;
  for (const byte of data) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function base32(data: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** The user key pair whose seed is exactly `raw` (32 bytes). */
export function userKeyFromRawSeed(raw: Uint8Array): KeyPair {
  if (raw.length !== 32) throw new RangeError(`an nkey seed is 32 bytes, got ${raw.length}`);
  const body = new Uint8Array(2 + raw.length + 2);
  body[0] = Prefix.Seed | (Prefix.User >> 5);
  body[1] = (Prefix.User & 31) << 3;
  body.set(raw, 2);
  const crc = crc16(body.subarray(0, 2 + raw.length));
  body[2 + raw.length] = crc & 0xff;
  body[3 + raw.length] = crc >> 8;
  return fromSeed(new TextEncoder().encode(base32(body)));
}
