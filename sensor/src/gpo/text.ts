/**
 * Policy file bytes → text. The Security Configuration Editor writes GptTmpl.inf as UTF-16LE with a
 * byte-order mark; scripts and third-party tools often write UTF-8 (with or without a BOM), and Group
 * Policy Preferences XML is UTF-8. Anything else is refused rather than guessed at: a template decoded
 * with the wrong encoding would silently yield no group memberships, which reads as "no local admins".
 */
import { GpoError } from "./errors.ts";

const UTF16LE_BOM = [0xff, 0xfe];
const UTF16BE_BOM = [0xfe, 0xff];
const UTF8_BOM = [0xef, 0xbb, 0xbf];

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) => prefix.every((b, i) => bytes[i] === b);

/**
 * Without a BOM, UTF-16LE ASCII text has a zero in (nearly) every odd byte. Checked on the first
 * 512 bytes so a UTF-16 file that lost its BOM is still read instead of failing UTF-8 decoding.
 */
function looksUtf16le(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512) & ~1;
  if (n < 4) return false;
  let zeroOdd = 0;
  let zeroEven = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) zeroEven++;
    if (bytes[i + 1] === 0) zeroOdd++;
  }
  return zeroOdd >= (n / 2) * 0.9 && zeroEven === 0;
}

/** First control character no policy text contains (below space except tab, CR, LF; and DEL), or -1. */
function binaryAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return i;
  }
  return -1;
}

/** Decodes a policy file; throws GPO_BAD_ENCODING (truncated UTF-16, invalid UTF-8, binary content). */
export function decodePolicyText(bytes: Uint8Array, what: string): string {
  let text: string;
  let encoding: string;
  if (startsWith(bytes, UTF16BE_BOM))
    throw new GpoError("GPO_BAD_ENCODING", `${what} is UTF-16 big-endian, which Group Policy never writes: file skipped`);
  if (startsWith(bytes, UTF16LE_BOM) || looksUtf16le(bytes)) {
    const body = startsWith(bytes, UTF16LE_BOM) ? bytes.subarray(2) : bytes;
    if (body.length % 2 !== 0)
      throw new GpoError("GPO_BAD_ENCODING", `${what} is UTF-16LE with an odd number of bytes (truncated?): file skipped`);
    encoding = "UTF-16LE";
    text = strictDecode("utf-16le", body, what);
  } else {
    encoding = "UTF-8";
    text = strictDecode("utf-8", startsWith(bytes, UTF8_BOM) ? bytes.subarray(3) : bytes, what);
  }
  const bad = binaryAt(text);
  if (bad >= 0)
    throw new GpoError(
      "GPO_BAD_ENCODING",
      `${what} holds control character U+${text.charCodeAt(bad).toString(16).padStart(4, "0")} at character ${bad} ` +
        `after ${encoding} decoding (binary data?): file skipped`,
    );
  return text;
}

function strictDecode(encoding: "utf-8" | "utf-16le", bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const label = encoding === "utf-8" ? "UTF-8" : "UTF-16LE (an unpaired surrogate: truncated or damaged?)";
    throw new GpoError("GPO_BAD_ENCODING", `${what} is not valid ${label}: file skipped`);
  }
}
