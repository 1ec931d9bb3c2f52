// One tenant's LMP bookkeeping: present once precomputed; holds the session cutoff and the fingerprint
// of sensitive accounts and honeytokens the stored results were computed for.
// params: $tenantId
MATCH (s:LmpState {tenantId: $tenantId})
RETURN s.sessionCutoff AS sessionCutoff, s.fingerprint AS fingerprint
