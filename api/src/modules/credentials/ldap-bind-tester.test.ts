// The BER codec of the LDAP bind tester, byte for byte (RFC 4511), and what it makes of bad answers.
// The socket paths (refused port, a non-LDAP server) are exercised in credentials.int.test.ts.
import { describe, expect, it } from "vitest";
import { bindRequest, bindResultCode, createLdapBindTester } from "./ldap-bind-tester.ts";

const hex = (b: Buffer) => b.toString("hex");

describe("LDAP simple bind codec", () => {
  it("encodes a BindRequest: version 3, the name, the password as simple [0]", () => {
    expect(hex(bindRequest(1, "svc@corp", "pw"))).toBe(
      "3016" + "020101" + "6011" + "020103" + "0408" + Buffer.from("svc@corp").toString("hex") + "8002" + Buffer.from("pw").toString("hex"),
    );
  });

  it("uses the long length form past 127 bytes", () => {
    const request = bindRequest(1, "n", "p".repeat(200));
    expect(hex(request.subarray(0, 3))).toBe("3081d7");
    expect(request.length).toBe(3 + 0xd7);
  });

  it("reads the resultCode of a BindResponse: 0 success, 49 invalid credentials", () => {
    const response = (code: number) =>
      Buffer.from(`300c020101610 70a01${code.toString(16).padStart(2, "0")}04000400`.replace(/ /g, ""), "hex");
    expect(bindResultCode(response(0))).toBe(0);
    expect(bindResultCode(response(49))).toBe(49);
  });

  it("asks for more bytes on a partial answer and rejects what is not a BindResponse", () => {
    const full = Buffer.from("300c02010161070a010004000400", "hex");
    for (let n = 0; n < full.length; n++) expect(bindResultCode(full.subarray(0, n)), `${n} bytes`).toBe("incomplete");
    expect(bindResultCode(Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n"))).toBe("invalid");
    expect(bindResultCode(Buffer.from("300c02010165070a010004000400", "hex"))).toBe("invalid"); // SearchResultDone, not a bind
    expect(bindResultCode(Buffer.from("3085ffffffffff", "hex"))).toBe("invalid"); // 5-byte length
  });
});

describe("createLdapBindTester input", () => {
  it("refuses URLs it cannot bind to, without connecting", async () => {
    const tester = createLdapBindTester({ timeoutMs: 1000 });
    expect(await tester.test({ ldapUrl: "not a url", bindName: "x", password: "y" })).toEqual({
      ok: false,
      reason: "protocol-error",
      message: "ldapUrl is not a URL",
    });
    expect(await tester.test({ ldapUrl: "http://dc01", bindName: "x", password: "y" })).toMatchObject({
      ok: false,
      reason: "protocol-error",
    });
  });
});
