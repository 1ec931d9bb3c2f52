/** Input the posture module cannot use: an event of the wrong kind or tenant, or unreadable saved state. Nothing is changed. */
export class PostureInputError extends Error {
  constructor(
    readonly code: "POSTURE_NOT_A_SNAPSHOT" | "POSTURE_TENANT_MISMATCH" | "POSTURE_BAD_STATE",
    message: string,
  ) {
    super(message);
    this.name = "PostureInputError";
  }
}
