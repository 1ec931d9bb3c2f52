import { describe, expect, it } from "vitest";
import { auth, map, SID } from "./map.fixture.ts";

describe("Samba Authentication records", () => {
  const cases: [string, string, Record<string, unknown>][] = [
    [
      "KDC success with ENC-TS → kerberos.as 0, pre-auth 2, AES256",
      auth({
        status: "NT_STATUS_OK",
        remoteAddress: "ipv4:10.99.0.20:43559",
        serviceDescription: "Kerberos KDC",
        authDescription: "ENC-TS Pre-authentication",
        clientAccount: "alice@CORP.LAB",
        becameAccount: "alice",
        becameDomain: "CORP",
        becameSid: `${SID}-1103`,
        passwordType: "aes256-cts-hmac-sha1-96",
      }),
      {
        kind: "kerberos.as",
        result: 0,
        preAuthType: 2,
        etype: 18,
        service: "krbtgt",
        actor: { name: "alice", domain: "CORP", sid: `${SID}-1103` },
        src: { ip: "10.99.0.20", port: 43559 },
      },
    ],
    [
      "KDC wrong password → kerberos.preauth-failure 0x18 (as 4771)",
      auth({
        eventId: 4625,
        status: "NT_STATUS_WRONG_PASSWORD",
        remoteAddress: "ipv4:10.99.0.66:53560",
        serviceDescription: "Kerberos KDC",
        authDescription: "ENC-TS Pre-authentication",
        clientAccount: "alice@CORP.LAB",
        becameSid: `${SID}-1103`,
        passwordType: "aes256-cts-hmac-sha1-96",
      }),
      {
        kind: "kerberos.preauth-failure",
        result: 0x18,
        preAuthType: 2,
        etype: 18,
        actor: { name: "alice", domain: "CORP.LAB", sid: `${SID}-1103` },
      },
    ],
    [
      "KDC ticket without pre-authentication (DONT_REQ_PREAUTH) → pre-auth type 0",
      auth({
        status: "NT_STATUS_OK",
        remoteAddress: "ipv4:10.99.0.66:41827",
        serviceDescription: "Kerberos KDC",
        authDescription: "Unknown Pre-authentication",
        clientAccount: "carol@CORP.LAB",
        becameSid: `${SID}-1108`,
        passwordType: null,
      }),
      { kind: "kerberos.as", result: 0, preAuthType: 0 },
    ],
    [
      "KDC unknown user → kerberos.as 0x6 (as 4768)",
      auth({
        eventId: 4625,
        status: "NT_STATUS_NO_SUCH_USER",
        remoteAddress: "ipv4:10.99.0.66:53690",
        serviceDescription: "Kerberos KDC",
        authDescription: "AS-REQ",
        clientAccount: "nosuchuser@CORP.LAB",
      }),
      { kind: "kerberos.as", result: 6, actor: { name: "nosuchuser", domain: "CORP.LAB" } },
    ],
    [
      "KDC RC4 pre-authentication keeps etype 23",
      auth({
        status: "NT_STATUS_OK",
        remoteAddress: "ipv4:10.99.0.66:1",
        serviceDescription: "Kerberos KDC",
        authDescription: "ENC-TS Pre-authentication",
        clientAccount: "eve@CORP.LAB",
        passwordType: "arcfour-hmac-md5",
      }),
      { kind: "kerberos.as", etype: 23 },
    ],
    [
      "NTLM over SMB2, wrong password → failed logon 0xC000006A with workstation",
      auth({
        eventId: 4625,
        status: "NT_STATUS_WRONG_PASSWORD",
        remoteAddress: "ipv4:10.99.0.66:50966",
        serviceDescription: "SMB2",
        authDescription: "NTLMSSP",
        clientDomain: "CORP",
        clientAccount: "alice",
        workstation: "ATK01",
        passwordType: "NTLMv2",
      }),
      {
        kind: "logon",
        success: false,
        logonType: 3,
        status: 0xc000006a,
        package: "NTLM",
        lmPackage: "NTLM V2",
        process: "SMB2",
        actor: { name: "alice", domain: "CORP" },
        src: { ip: "10.99.0.66", port: 50966, host: "ATK01" },
        target: { host: "dc1" },
      },
    ],
    [
      "NTLM success → logon with logonId",
      auth({
        status: "NT_STATUS_OK",
        logonId: "0",
        remoteAddress: "ipv4:10.99.0.20:51892",
        serviceDescription: "SMB2",
        authDescription: "NTLMSSP",
        clientDomain: "CORP",
        clientAccount: "bob",
        workstation: "WS01",
        becameSid: `${SID}-1104`,
        passwordType: "NTLMv2",
      }),
      { kind: "logon", success: true, logonId: "0", actor: { name: "bob", domain: "CORP", sid: `${SID}-1104` } },
    ],
    [
      "an NTSTATUS the table lacks keeps the failure without a code",
      auth({
        eventId: 4625,
        status: "NT_STATUS_SOMETHING_NEW",
        remoteAddress: "ipv4:10.0.0.1:1",
        serviceDescription: "SMB2",
        authDescription: "NTLMSSP",
        clientAccount: "x",
      }),
      { kind: "logon", success: false },
    ],
    [
      "LDAP simple bind → ldap.bind simple 0, the server's own name is not the source",
      auth({
        logonType: 8,
        status: "NT_STATUS_OK",
        remoteAddress: "ipv4:10.99.0.66:42946",
        serviceDescription: "LDAP",
        authDescription: "simple bind",
        clientDomain: "CORP",
        clientAccount: "eve@corp.lab",
        workstation: "DC1",
        passwordType: "Plaintext",
      }),
      { kind: "ldap.bind", bindType: "simple", result: 0, src: { ip: "10.99.0.66", port: 42946 } },
    ],
    [
      "LDAP simple bind failure → 49 invalidCredentials",
      auth({
        eventId: 4625,
        logonType: 8,
        status: "NT_STATUS_WRONG_PASSWORD",
        remoteAddress: "ipv4:10.99.0.66:1",
        serviceDescription: "LDAP",
        authDescription: "simple bind",
        clientAccount: "eve",
      }),
      { kind: "ldap.bind", result: 49 },
    ],
    [
      "NETLOGON ServerAuthenticate → netlogon with the machine account",
      auth({
        status: "NT_STATUS_ACCESS_DENIED",
        remoteAddress: "ipv4:10.0.0.9:1",
        serviceDescription: "NETLOGON",
        authDescription: "ServerAuthenticate",
        netlogonComputer: "WS01",
        netlogonTrustAccount: "WS01$",
      }),
      { kind: "netlogon", operation: "ServerAuthenticate", result: 0xc0000022, machineAccount: "WS01$" },
    ],
  ];
  it.each(cases)("%s", (_name, line, expected) => {
    const { drafts, problems } = map(line, "dc1");
    expect(problems).toEqual([]);
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({ ...expected, dc: "dc1", origin: { format: "samba-json", provider: "Authentication" } });
  });

  it("reports a KDC status with no Kerberos equivalent as a problem and maps nothing", () => {
    const { drafts, problems, stats } = map(
      auth({ status: "NT_STATUS_NOT_SUPPORTED", serviceDescription: "Kerberos KDC", clientAccount: "a@B" }),
    );
    expect(drafts).toEqual([]);
    expect(problems[0]?.reason).toMatch(/no Kerberos result code for NT_STATUS_NOT_SUPPORTED/);
    expect(stats).toMatchObject({ records: 1, problems: 1, drafts: 0 });
  });

  it("reports a record without status", () => {
    expect(map(auth({ serviceDescription: "SMB2" })).problems[0]?.reason).toBe("no status");
  });
});

describe("Samba Authorization records", () => {
  const authz = (authType: string) =>
    JSON.stringify({
      timestamp: "2026-11-25T17:01:21.792168+0000",
      type: "Authorization",
      Authorization: {
        remoteAddress: "ipv4:10.99.0.20:55294",
        serviceDescription: "SMB2",
        authType,
        domain: "CORP",
        account: "alice",
        sid: `${SID}-1103`,
        logonServer: "DC1",
      },
    });
  it("maps a Kerberos service-ticket use to a network logon (the KDC never logs the TGS)", () => {
    const { drafts } = map(authz("krb5"));
    expect(drafts).toEqual([
      expect.objectContaining({
        kind: "logon",
        success: true,
        logonType: 3,
        package: "Kerberos",
        process: "SMB2",
        actor: { name: "alice", domain: "CORP", sid: `${SID}-1103` },
      }),
    ]);
  });
  it("maps NTLM and simple-bind authorizations to nothing: their Authentication record says it", () => {
    for (const type of ["NTLMSSP", "simple bind", "ncacn_np"])
      expect(map(authz(type))).toMatchObject({ drafts: [], problems: [], stats: { empty: 1 } });
  });
});
