"""Seeds the attack lab's CORP.LAB domain offline (before samba starts) through Samba's own SamDB:
one Python process instead of dozens of samba-tool runs, which keeps `lab.sh up` short.

What each object is for (lab.sh's attack steps use these names):
- alice, bob: the benign workstation's users; eve: the attacker's foothold (in Helpdesk)
- carol: DONT_REQ_PREAUTH, the AS-REP roasting target
- frank: the password the spray finds
- svc_* (six accounts with an SPN): Kerberoasting targets; the detection wants >= 5 user services
- dave, grace, heidi, ivan, judy: more spray targets
- krbtgt: DONT_REQ_PREAUTH as well, because Samba's Heimdal KDC insists on pre-authentication when
  the *server* entry (krbtgt) requires it, whatever the client's flag says; without it carol could
  not be roasted. krbtgt stays disabled.
- minPwdAge 0: samba-tool may reset passwords right after creation.

Usage: seed.py <sam.ldb> <smb.conf> <passwords.tsv>   (passwords.tsv: account<TAB>password)
"""

import sys

from samba.auth import system_session
from samba.param import LoadParm
from samba.samdb import SamDB

UF_NORMAL_ACCOUNT = 0x200
UF_ACCOUNTDISABLE = 0x2
UF_DONT_REQUIRE_PREAUTH = 0x400000

SERVICES = {
    "svc_sql": "MSSQLSvc/sql01.corp.lab:1433",
    "svc_web": "HTTP/web01.corp.lab",
    "svc_backup": "BackupSvc/bak01.corp.lab",
    "svc_app": "AppSvc/app01.corp.lab:8080",
    "svc_sccm": "SMS/sccm01.corp.lab",
    "svc_crm": "HTTP/crm01.corp.lab",
}


def main(sam_path: str, conf: str, passwords_path: str) -> None:
    lp = LoadParm()
    lp.load(conf)
    db = SamDB(url=sam_path, session_info=system_session(), lp=lp)
    base = str(db.domain_dn())
    passwords = dict(line.rstrip("\n").split("\t", 1) for line in open(passwords_path) if "\t" in line)

    db.modify_ldif(f"dn: {base}\nchangetype: modify\nreplace: minPwdAge\nminPwdAge: 0\n")
    for name, password in passwords.items():
        if name in ("Administrator", "krbtgt"):
            continue
        db.newuser(name, password, useusernameascn=True)
    db.newgroup("Helpdesk")
    db.add_remove_group_members("Helpdesk", ["eve"])
    db.newcomputer("WS01")

    db.modify_ldif(
        f"dn: CN=carol,CN=Users,{base}\nchangetype: modify\nreplace: userAccountControl\n"
        f"userAccountControl: {UF_NORMAL_ACCOUNT | UF_DONT_REQUIRE_PREAUTH}\n"
    )
    db.modify_ldif(
        f"dn: CN=krbtgt,CN=Users,{base}\nchangetype: modify\nreplace: userAccountControl\n"
        f"userAccountControl: {UF_NORMAL_ACCOUNT | UF_ACCOUNTDISABLE | UF_DONT_REQUIRE_PREAUTH}\n"
    )
    for account, spn in SERVICES.items():
        db.modify_ldif(
            f"dn: CN={account},CN=Users,{base}\nchangetype: modify\n"
            f"add: servicePrincipalName\nservicePrincipalName: {spn}\n"
        )
    print("seeded", base, len(passwords), "accounts")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
