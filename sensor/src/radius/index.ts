/** RADIUS accounting (RFC 2866): the UDP server, packet parsing and authenticators, and the mapping to `radius.accounting` events. */
export {
  startRadiusServer,
  parseRadiusClients,
  type RadiusServer,
  type RadiusServerOptions,
  type RadiusSecrets,
  type RadiusStats,
  type RadiusProblem,
} from "./server.ts";
export {
  parseAccountingRequest,
  requestAuthenticatorValid,
  accountingResponse,
  accountingRequest,
  ACCOUNTING_REQUEST,
  ACCOUNTING_RESPONSE,
  type AccountingRequest,
  type RadiusAttribute,
  type DropReason,
  type ParseResult,
} from "./packet.ts";
export { mapAccounting, type RadiusMapContext, type RadiusMapResult } from "./map.ts";
export { decodeAccounting, ATTR, STATUS_TYPES, type AccountingFields } from "./attributes.ts";
