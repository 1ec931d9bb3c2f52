# Benign phase, sourced by lab.sh (uses its `step`): what a workstation does all day, from WS01.
# No alert may point into this phase. Each script runs inside vlab-ws via nsrun (see lab.sh).
# shellcheck shell=bash
step benign_kinit_alice benign ws alice kinit \
  "echo 'Alice#Pass2024' | kinit alice@CORP.LAB && klist"
# The domain admin signs in on WS01 (a TGT there): where an attacker would take the admin's NT hash
# from, and the session pass-the-hash is judged against (NTLM use of the account from elsewhere).
step benign_admin_kinit benign ws Administrator kinit \
  "echo \"\$ADMIN_PASS\" | KRB5CCNAME=FILE:\$NS_DIR/ccache-admin kinit Administrator@CORP.LAB && KRB5CCNAME=FILE:\$NS_DIR/ccache-admin klist"
step benign_smb_kerberos benign ws alice smbclient \
  "smbclient -L //dc1.corp.lab --use-kerberos=required -d0"
step benign_ldap_gssapi benign ws alice ldapsearch \
  "ldapsearch -N -Q -Y GSSAPI -H ldap://dc1.corp.lab -b DC=corp,DC=lab '(sAMAccountName=alice)' cn memberOf"
step benign_ntlm_smb benign ws bob smbclient \
  "smbclient -L //dc1.corp.lab -U 'CORP/bob%Bob#Pass2024' -d0"
