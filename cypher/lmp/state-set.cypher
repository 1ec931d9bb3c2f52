// Writes one tenant's LMP bookkeeping (after a full precompute, or when expiry raises the cutoff).
// params: $tenantId, $sessionCutoff, $fingerprint
MERGE (s:LmpState {tenantId: $tenantId})
SET s.sessionCutoff = $sessionCutoff, s.fingerprint = $fingerprint
