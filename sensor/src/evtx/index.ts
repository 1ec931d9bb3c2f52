/** Vigil's own EVTX reader: file header, 64 KiB chunks, records and BinXML, straight into WindowsRecord. */
export { readEvtx, readEvtxRecords, type EvtxReadOptions, type EvtxRecord } from "./reader.ts";
export { isFileMagic as isEvtxMagic } from "./layout.ts";
