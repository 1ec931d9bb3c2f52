"""Seeds the test domain of scripts/samba/dc.sh, offline (before samba starts) through Samba's own
SamDB, which is one Python process instead of ~30 samba-tool runs.

What it creates, and which LDAP sync feature each object exercises (sensor/src/ldap/*.int.test.ts
asserts on these names):
- OU=Staff (with a GPO linked to it) holding alice, bob, carol, dave, eve
- carol: DONT_REQ_PREAUTH (AS-REP roastable)
- svc_sql: SPN MSSQLSvc/sql01.vigil.lab:1433, RC4-only msDS-SupportedEncryptionTypes (kerberoastable)
- svc_web: SPN + constrained delegation with protocol transition (msDS-AllowedToDelegateTo, T2A4D)
- bob: sIDHistory S-1-5-21-111-222-333-500 (the trusted partner's Administrator)
- dave: Domain Admin only through nesting: dave -> Server Admins -> Tier0 Operators -> Domain Admins;
  adminCount 1 (Samba has no SDProp to set it)
- eve: in Helpdesk. (No msDS-KeyCredentialLink: Samba 4.17's schema (2008 R2 / 2012 R2) lacks that 2016
  attribute, so the sync's decoding of it is covered by unit tests only.)
- WS01: resource-based constrained delegation (msDS-AllowedToActOnBehalfOfOtherIdentity allows SQL01)
- SQL01: unconstrained delegation (TRUSTED_FOR_DELEGATION)
- subnet 10.231.77.0/24 in Default-First-Site-Name
- trust: a bidirectional forest trust object for partner.example (S-1-5-21-111-222-333)

Usage: seed.py <sam.ldb> <smb.conf>
"""

import sys

import ldb
from samba.auth import system_session
from samba.dcerpc import security
from samba.ndr import ndr_pack
from samba.param import LoadParm
from samba.samdb import SamDB

UF_TRUSTED_FOR_DELEGATION = 0x80000
UF_NORMAL_ACCOUNT = 0x200
UF_DONT_REQUIRE_PREAUTH = 0x400000
UF_TRUSTED_TO_AUTH_FOR_DELEGATION = 0x1000000
UF_WORKSTATION_TRUST_ACCOUNT = 0x1000

PASSWORD = "Vigil-User!2026"
GPO_GUID = "{5B6E4C1A-7D3F-4E2B-9A8C-1F0D2E3C4B5A}"


def main(sam_path: str, conf: str) -> None:
    lp = LoadParm()
    lp.load(conf)
    db = SamDB(url=sam_path, session_info=system_session(), lp=lp)
    base = str(db.domain_dn())
    config = str(db.get_config_basedn())

    def modify(ldif: str) -> None:
        db.modify_ldif(ldif.replace("$BASE", base).replace("$CONFIG", config))

    def add(ldif: str) -> None:
        db.add_ldif(ldif.replace("$BASE", base).replace("$CONFIG", config))

    add("dn: OU=Staff,$BASE\nobjectClass: organizationalUnit\ndescription: seeded by scripts/samba/seed.py\n")
    for name in ["alice", "bob", "carol", "dave", "eve"]:
        db.newuser(name, PASSWORD, useusernameascn=True, userou="OU=Staff")
    for name in ["svc_sql", "svc_web"]:
        db.newuser(name, PASSWORD, useusernameascn=True)
    db.newcomputer("WS01")
    db.newcomputer("SQL01")

    for group in ["Helpdesk", "Tier0 Operators", "Server Admins"]:
        db.newgroup(group)
    db.add_remove_group_members("Helpdesk", ["eve"])
    db.add_remove_group_members("Server Admins", ["dave", "SQL01$"])
    db.add_remove_group_members("Tier0 Operators", ["Server Admins"])
    db.add_remove_group_members("Domain Admins", ["Tier0 Operators"])

    modify(
        f"dn: CN=carol,OU=Staff,$BASE\nchangetype: modify\nreplace: userAccountControl\n"
        f"userAccountControl: {UF_NORMAL_ACCOUNT | UF_DONT_REQUIRE_PREAUTH}\n"
    )
    modify(
        "dn: CN=svc_sql,CN=Users,$BASE\nchangetype: modify\n"
        "add: servicePrincipalName\nservicePrincipalName: MSSQLSvc/sql01.vigil.lab:1433\n-\n"
        "replace: msDS-SupportedEncryptionTypes\nmsDS-SupportedEncryptionTypes: 4\n"
    )
    modify(
        "dn: CN=svc_web,CN=Users,$BASE\nchangetype: modify\n"
        "add: servicePrincipalName\nservicePrincipalName: HTTP/web01.vigil.lab\n-\n"
        "add: msDS-AllowedToDelegateTo\nmsDS-AllowedToDelegateTo: cifs/ws01.vigil.lab\n-\n"
        f"replace: userAccountControl\nuserAccountControl: {UF_NORMAL_ACCOUNT | UF_TRUSTED_TO_AUTH_FOR_DELEGATION}\n"
    )
    modify(
        "dn: CN=SQL01,CN=Computers,$BASE\nchangetype: modify\nreplace: userAccountControl\n"
        f"userAccountControl: {UF_WORKSTATION_TRUST_ACCOUNT | UF_TRUSTED_FOR_DELEGATION}\n"
    )
    modify("dn: CN=dave,OU=Staff,$BASE\nchangetype: modify\nreplace: adminCount\nadminCount: 1\n")
    sql01_sid = ndr_unpack_sid(db, base)
    sd = security.descriptor.from_sddl(f"O:BAD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;{sql01_sid})", security.dom_sid(sql01_sid.rsplit("-", 1)[0]))
    msg = ldb.Message(ldb.Dn(db, f"CN=WS01,CN=Computers,{base}"))
    msg["msDS-AllowedToActOnBehalfOfOtherIdentity"] = ldb.MessageElement(
        ndr_pack(sd), ldb.FLAG_MOD_REPLACE, "msDS-AllowedToActOnBehalfOfOtherIdentity"
    )
    db.modify(msg)

    add(
        f"dn: CN={GPO_GUID},CN=Policies,CN=System,$BASE\nobjectClass: groupPolicyContainer\n"
        "displayName: Vigil Staff Policy\nflags: 0\nversionNumber: 1\ngPCFunctionalityVersion: 2\n"
        f"gPCFileSysPath: \\\\vigil.lab\\sysvol\\vigil.lab\\Policies\\{GPO_GUID}\n"
    )
    modify(
        "dn: OU=Staff,$BASE\nchangetype: modify\nreplace: gPLink\n"
        f"gPLink: [LDAP://CN={GPO_GUID},CN=Policies,CN=System,$BASE;0]\n"
    )
    # SID history naming the partner domain's Administrator (RID 500): the shape of a SID-history attack.
    history = ldb.Message(ldb.Dn(db, f"CN=bob,OU=Staff,{base}"))
    history["sIDHistory"] = ldb.MessageElement(
        [ndr_pack(security.dom_sid("S-1-5-21-111-222-333-500"))], ldb.FLAG_MOD_ADD, "sIDHistory"
    )
    db.modify(history)
    # A forest trust's trustedDomain object (no partner DC exists: the object is what LDAP sync reads).
    trust = ldb.Message(ldb.Dn(db, f"CN=partner.example,CN=System,{base}"))
    trust["objectClass"] = ldb.MessageElement(["trustedDomain"], ldb.FLAG_MOD_ADD, "objectClass")
    for name, value in [("trustPartner", "partner.example"), ("flatName", "PARTNER"), ("trustDirection", "3"), ("trustType", "2"), ("trustAttributes", "8")]:
        trust[name] = ldb.MessageElement([value], ldb.FLAG_MOD_ADD, name)
    trust["securityIdentifier"] = ldb.MessageElement(
        ndr_pack(security.dom_sid("S-1-5-21-111-222-333")), ldb.FLAG_MOD_ADD, "securityIdentifier"
    )
    db.add(trust)
    add(
        "dn: CN=10.231.77.0/24,CN=Subnets,CN=Sites,$CONFIG\nobjectClass: subnet\n"
        "siteObject: CN=Default-First-Site-Name,CN=Sites,$CONFIG\n"
    )
    print("seeded", base)


def ndr_unpack_sid(db: SamDB, base: str) -> str:
    """SQL01's objectSid as an S-1-5-… string (the search returns it packed)."""
    from samba.ndr import ndr_unpack

    res = db.search(base=f"CN=SQL01,CN=Computers,{base}", scope=ldb.SCOPE_BASE, attrs=["objectSid"])
    return str(ndr_unpack(security.dom_sid, res[0]["objectSid"][0]))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
