/** Coded errors of the SIEM export. */

/** A CEF record that cannot be rendered (bad key, severity or time); a bug in a mapper, never input data. */
export class CefFormatError extends Error {
  readonly code = "CEF_FORMAT";
  constructor(message: string) {
    super(message);
    this.name = "CefFormatError";
  }
}

/** A syslog target that cannot be used as configured (bad host, port, protocol or CA). */
export class SiemConfigError extends Error {
  readonly code = "SIEM_CONFIG";
  constructor(message: string) {
    super(message);
    this.name = "SiemConfigError";
  }
}

/** Sending to the syslog receiver failed (connect, TLS handshake, write); the forwarder retries. */
export class SiemDeliveryError extends Error {
  readonly code = "SIEM_DELIVERY";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SiemDeliveryError";
  }
}
