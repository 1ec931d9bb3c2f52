import { first, toNum, type Packet } from "./fields.ts";

/** MS-SCMR opnums that create a service: RCreateServiceW and RCreateServiceA. */
export const CREATE_SERVICE_W = 12;
export const CREATE_SERVICE_A = 24;

// The words the Windows mapper gives 7045 / 4697 codes, so detections see one vocabulary.
const SERVICE_TYPES: Record<number, string> = {
  0x1: "kernel mode driver",
  0x2: "file system driver",
  0x10: "user mode service",
  0x20: "user mode service",
};
const START_TYPES: Record<number, string> = { 0: "boot start", 1: "system start", 2: "auto start", 3: "demand start", 4: "disabled" };
// A name or path longer than this in a stub is not a service parameter: the stub is misread.
const MAX_STRING = 8192;

/** What a CreateService request asks for, as `service.install` names it. */
export interface ServiceRequest {
  serviceName: string;
  imagePath?: string;
  serviceType?: string;
  startType?: string;
  account?: string;
}

/**
 * The service a CreateService request names, or undefined when the stub is sealed (packet privacy
 * without the session key) or unreadable. tshark 4.0 dissects RCreateServiceW; RCreateServiceA
 * (SharpSC, Empire's psexec) stays raw stub data, so its ANSI strings are read from the NDR directly.
 */
export function serviceRequest(p: Packet, opnum: number): ServiceRequest | undefined {
  if (opnum === CREATE_SERVICE_W) {
    const serviceName = first(p, "svcctl.servicename")?.trim();
    if (!serviceName) return undefined;
    return described({
      serviceName,
      imagePath: first(p, "svcctl.binarypathname"),
      serviceType: toNum(first(p, "svcctl.service_type")),
      startType: toNum(first(p, "svcctl.service_start_type")),
      account: first(p, "svcctl.service_start_name"),
    });
  }
  if (opnum === CREATE_SERVICE_A) return createServiceAStub(first(p, "dcerpc.stub_data"));
  return undefined;
}

function described(r: {
  serviceName: string;
  imagePath?: string;
  serviceType?: number;
  startType?: number;
  account?: string;
}): ServiceRequest {
  const serviceType = r.serviceType === undefined ? undefined : (SERVICE_TYPES[r.serviceType] ?? `0x${r.serviceType.toString(16)}`);
  const startType = r.startType === undefined ? undefined : (START_TYPES[r.startType] ?? String(r.startType));
  return {
    serviceName: r.serviceName,
    ...(r.imagePath?.trim() ? { imagePath: r.imagePath.trim() } : {}),
    ...(serviceType ? { serviceType } : {}),
    ...(startType ? { startType } : {}),
    ...(r.account?.trim() ? { account: r.account.trim() } : {}),
  };
}

/**
 * RCreateServiceA's request in NDR (MS-SCMR 3.1.4.20): the SC handle (20 bytes), lpServiceName
 * (conformant varying string), lpDisplayName (unique pointer, string), access, type, start type and
 * error control (4 × 4 bytes), lpBinaryPathName (string), then optional group, tag, dependencies and
 * lpServiceStartName. Reading stops at the first thing that does not fit; the name is required.
 */
export function createServiceAStub(stubHex: string | undefined): ServiceRequest | undefined {
  if (!stubHex) return undefined;
  const hex = stubHex.replace(/:/g, "");
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) return undefined;
  const reader = new NdrReader(Buffer.from(hex, "hex"), 20);
  const serviceName = reader.string();
  if (!serviceName) return undefined;
  if (reader.u32() !== 0) reader.string();
  reader.u32();
  const serviceType = reader.u32();
  const startType = reader.u32();
  reader.u32();
  const imagePath = reader.string();
  let account: string | undefined;
  if (imagePath !== undefined) {
    if (reader.u32() !== 0) reader.string();
    if (reader.u32() !== 0) reader.u32();
    if (reader.u32() !== 0) reader.bytes();
    reader.u32();
    if (reader.u32() !== 0) account = reader.string();
  }
  return described({
    serviceName,
    ...(imagePath !== undefined ? { imagePath } : {}),
    ...(serviceType !== undefined ? { serviceType } : {}),
    ...(startType !== undefined ? { startType } : {}),
    ...(account !== undefined ? { account } : {}),
  });
}

/** Little-endian NDR reads that return undefined (and stay failed) once the buffer runs out. */
class NdrReader {
  private failed = false;
  constructor(
    private readonly buf: Buffer,
    private at: number,
  ) {}

  u32(): number | undefined {
    if (this.failed || this.at + 4 > this.buf.length) return this.fail();
    const v = this.buf.readUInt32LE(this.at);
    this.at += 4;
    return v;
  }

  /** A conformant varying ANSI string (max count, offset, actual count, bytes with NUL), 4-aligned after. */
  string(): string | undefined {
    const max = this.u32();
    const offset = this.u32();
    const count = this.u32();
    if (max === undefined || offset === undefined || count === undefined) return undefined;
    if (count > max || count > MAX_STRING || this.at + count > this.buf.length) return this.fail();
    const text = this.buf
      .subarray(this.at, this.at + count)
      .toString("latin1")
      .replace(/\0+$/, "");
    this.at = (this.at + count + 3) & ~3;
    return text;
  }

  /** A conformant byte array (max count, bytes), 4-aligned after. */
  bytes(): void {
    const count = this.u32();
    if (count === undefined || count > MAX_STRING || this.at + count > this.buf.length) return void this.fail();
    this.at = (this.at + count + 3) & ~3;
  }

  private fail(): undefined {
    this.failed = true;
    return undefined;
  }
}
