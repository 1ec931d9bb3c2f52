/** SharpHound / BloodHound CE collection reader: zip → typed records (no graph writes here). */
export { readSharpHoundCollection, type ReadCollectionOptions } from "./collection.ts";
export { parseCollectionFile, SUPPORTED_VERSIONS, MAPPED_TYPES, UNMAPPED_TYPES, type ParsedFile } from "./parse.ts";
export { readJsonEntries, unsafeEntryName, type ArchiveLimits, type ArchiveEntry } from "./archive.ts";
export { SharpHoundError, isSharpHoundError, type SharpHoundErrorCode } from "./errors.ts";
export type * from "./types.ts";
