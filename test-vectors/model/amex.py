"""Kernel 4 (American Express ExpressPay, C-4) vectors: an independent model of the commands
(PDOL with the modified Terminal Type 9F35 | 9F6D and 9F6E, GET DATA ATC of a phone, CDOL1
with TVR and CVM Results) and of CDA signing (Book 2 5.3, 6.4, 6.6 with the test keys
[ca-amex] / [issuer-amex-model] / [icc-amex-model] of assets/test-keys/keys.toml).
Expectations are written per vector from the rules in docs/kernels/c4.md, not from the
kernel's output. Run: python3 test-vectors/model/amex.py"""
import hashlib, os, sys, tomllib
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen import *

AID = "A000000025010801"       # synthetic Amex product under the reader's A00000002501
READER_AID = "A00000002501"
KEYS = tomllib.load(open(os.path.join(OUT, '..', 'assets', 'test-keys', 'keys.toml'), 'rb'))
CA, ISS, ICC = KEYS['ca-amex'], KEYS['issuer-amex-model'], KEYS['icc-amex-model']
CAPK = {"rid": "A000000025", "index": "54", "modulus": CA['modulus'], "exponent": "03",
        "expiry": "2035-12-31"}
TERMINAL = {"9F1A": "0250", "9F35": "22", "9F33": "0028C8", "9F09": "0001"}
TAC = {"DF8120": "DC50FC9800", "DF8121": "0010000000", "DF8122": "DE00FC9800"}
PAN = "379000000000017"
T2 = PAN + "D3012201" + "12345000000"
CDOL1 = "9F02069F03069F1A0295055F2A029A039C019F37049F35019F6E049F3403"
CVM_LIST = "000000000000000042031E031F03"


def comb(floor="50.00", cvm="50.00", tl="1000.00", ecrc="18A00003", **kw):
    c = {"aid": READER_AID, "kernel": 4, "transaction_limit": tl, "floor_limit": floor,
         "cvm_required_limit": cvm, "tags": dict({"9F6D": "C0", "9F6E": ecrc}, **TAC)}
    c.update(kw); return c


def cfg(c, capks=(CAPK,)):
    return {"terminal": TERMINAL, "combinations": [c], "capks": list(capks)}


# --- C-4 4.3.3 / 4.3.4: what the reader sends for 9F35 and 9F6E -------------------------
def cvm_required(t, c):          # Book B 3.1.1.6: amount >= Reader CVM Required Limit
    return minor(t['amount'], t['currency']) >= minor(c['cvm_required_limit'], t['currency'])
def floor_exceeded(t, c):        # Book B 3.1.1.5: amount > Reader Contactless Floor Limit
    return minor(t['amount'], t['currency']) > minor(c['floor_limit'], t['currency'])
def term_type(t, c):             # 9F35 OR 9F6D (b8 b7 b4), b4 = CVM Required
    return '%02X' % ((int(TERMINAL['9F35'], 16) & ~0xC8) | int(c['tags']['9F6D'], 16) | (0x08 if cvm_required(t, c) else 0))
def ecrc(t, c):                  # 9F6E byte 3 b7 = CVM Required
    b = bytearray(x(c['tags']['9F6E'])); b[2] = (b[2] & ~0x40) | (0x40 if cvm_required(t, c) else 0)
    return h(bytes(b))

TYPE_9C = {"purchase": "00", "cash": "01", "cashback": "09", "refund": "20"}
def values(t, c, un, tvr="0000000000", cvmr="3F0000"):
    y, m, d = t['date'].split('-')
    return {'9F02': n12(minor(t['amount'], t['currency'])), '9F03': n12(0), '9F1A': TERMINAL['9F1A'],
            '95': tvr, '5F2A': '0' + t['currency'], '9A': y[2:] + m + d, '9C': TYPE_9C[t['type']],
            '9F37': un, '9F35': term_type(t, c), '9F6E': ecrc(t, c), '9F34': cvmr,
            '9F33': TERMINAL['9F33'], '9F09': TERMINAL['9F09']}


# --- Book 2 signing --------------------------------------------------------------------
def sha1(*parts): return hashlib.sha1(b''.join(parts)).digest()
def rsa(key, block):
    n, d = int(key['modulus'], 16), int(key['private_exponent'], 16)
    return pow(int.from_bytes(block, 'big'), d, n).to_bytes(len(block), 'big')
def nlen(key): return len(x(key['modulus']))

def issuer_cert(expiry="1235", serial="000001"):
    """Book 2 Table 6: returns (90, 92)."""
    nca, mod = nlen(CA), x(ISS['modulus'])
    fit, rem = mod[:nca - 36], mod[nca - 36:]
    body = x('02') + x(PAN[:4] + 'FFFF') + x(expiry) + x(serial) + x('0101') + bytes([len(mod), 1]) + fit + b'\xBB' * (nca - 36 - len(fit))
    blk = x('6A') + body + sha1(body, rem, x('03')) + x('BC')
    return rsa(CA, blk), rem

def icc_cert(static_data, expiry="1230"):
    """Book 2 Table 14: returns (9F46, 9F48)."""
    ni, mod = nlen(ISS), x(ICC['modulus'])
    fit, rem = mod[:ni - 42], mod[ni - 42:]
    body = x('04') + x((PAN + 'F' * 20)[:20]) + x(expiry) + x('000001') + x('0101') + bytes([len(mod), 1]) + fit + b'\xBB' * (ni - 42 - len(fit))
    blk = x('6A') + body + sha1(body, rem, x('03'), static_data) + x('BC')
    return rsa(ISS, blk), rem

IDN = x('A1B2C3D4')
def sdad(cid, ac, tdhc, un):
    """Book 2 Table 17/19, CDA: 6A 05 01 L_DD (IDN len, IDN, CID, AC, TDHC) BB.. hash BC."""
    nic = nlen(ICC)
    dd = bytes([len(IDN)]) + IDN + x(cid) + x(ac) + tdhc
    body = x('0501') + bytes([len(dd)]) + dd + b'\xBB' * (nic - len(dd) - 25)
    return rsa(ICC, x('6A') + body + sha1(body, x(un)) + x('BC'))


# --- the card ----------------------------------------------------------------------------
AFL = "08010300" + "10010101"    # SFI 1 records 1-3 (certificates, track 2), SFI 2 record 1 signed
def signed_record(cdol1=CDOL1, expiry="301231", aip_tag_list="82"):
    items = [('5A', PAN + 'F'), ('5F24', expiry), ('5F25', '200101'), ('5F28', '0250'), ('5F34', '00'),
             ('9F07', 'FF00'), ('9F08', '0001'), ('8C', cdol1), ('8E', CVM_LIST),
             ('9F0D', 'F470C49800'), ('9F0E', '0000000000'), ('9F0F', 'F470C49800'), ('9F42', '0978'),
             ('9F4A', aip_tag_list)]
    return b''.join(tlv(t, v) for t, v in items)

class Card:
    """A Kernel 4 card or phone: GPO answer, the four records, and its GENERATE AC answers."""
    def __init__(self, aip="1980", mobile=None, capk="54", issuer_expiry="1235", pdol="9F3501"):
        self.aip, self.mobile, self.pdol = aip, mobile, pdol
        self.sr = signed_record()
        static = self.sr + x(aip)
        c90, r92 = issuer_cert(issuer_expiry)
        c46, r48 = icc_cert(static)
        self.records = [
            tpl('70', tlv('57', T2), tlv('5F20', b'AMEX TEST CARD'.hex())),
            tpl('70', tlv('8F', capk), tlv('90', c90), tlv('92', r92), tlv('9F32', '03')),
            tpl('70', tlv('9F46', c46), tlv('9F47', '03'), tlv('9F48', r48)),
            tpl('70', self.sr)]
    def fci(self): return fci(AID, self.pdol, "AMERICAN EXPRESS")
    def gpo_resp(self):
        body = tlv('82', self.aip) + tlv('94', AFL)
        if self.mobile: body += tlv('9F71', self.mobile)
        return h(tpl('77', body)) + "9000"
    def genac_resp(self, cid, pdol_data, cdol1_data, un, signed=True, corrupt=False, ac="1122334455667788"):
        head = tlv('9F27', cid) + tlv('9F36', '0042')
        tail = tlv('9F10', '06010103A00000')
        if not signed:
            return h(tpl('77', head + tlv('9F26', ac) + tail)) + "9000"
        tdhc = sha1(pdol_data, cdol1_data, head, tail)
        s = bytearray(sdad(cid, ac, tdhc, un))
        if corrupt: s[10] ^= 0x01
        return h(tpl('77', head + tlv('9F4B', bytes(s)) + tail)) + "9000"


def tap(card, t, c, un, p1=None, cid=None, tvr="0000000000", cvmr="3F0000", signed=True,
        corrupt=False, gac_error=None, gpo_r=None, gac_r=None, ppse_r=None, getdata_r="9F360200429000"):
    """One tap: PPSE, SELECT, GPO, READ RECORD x4, [GET DATA ATC], GENERATE AC."""
    v = values(t, c, un, tvr, cvmr)
    pdol_data = dol_build(card.pdol, v)
    ex = [E(PPSE_CMD, ppse_r or ppse((AID, 1, None, "AMERICAN EXPRESS"))), E(select_cmd(AID), card.fci()),
          E(gpo_cmd(pdol_data), gpo_r or card.gpo_resp())]
    if gpo_r: return ex
    for i, r in enumerate(card.records[:3]): ex.append(E(rr_cmd(1, i + 1), h(r) + "9000"))
    ex.append(E(rr_cmd(2, 1), h(card.records[3]) + "9000"))
    if card.mobile: ex.append(E("80CA9F3600", getdata_r))
    cdol1_data = dol_build(CDOL1, v)
    gac = h(bytes([0x80, 0xAE, p1, 0, len(cdol1_data)]) + cdol1_data + b'\x00')
    if gac_error: ex.append(E(gac, error=gac_error)); return ex
    ex.append(E(gac, gac_r or card.genac_resp(cid, pdol_data, cdol1_data, un, signed, corrupt)))
    return ex

MIN = " Commands: PPSE, SELECT, GPO (PDOL {}), READ RECORD SFI 1/1-3 and 2/1 by the AFL{}, GENERATE AC."
def desc(text, card=None, getdata=False):
    return text + MIN.format(card.pdol if card else "9F3501", ", GET DATA 9F36 (a phone, c4.md R8)" if getdata else "")

UN1, UN2 = "11223344", "55667788"
AC = "1122334455667788"


def main():
    # V1 offline approval: 20.00 below the 50.00 CVM limit (9F35 E2: R2) and the 100.00 floor
    # limit; CVM list 42031E031F03 below the limit offers No CVM only (R6): 1F0302. CDA
    # selected (R4), TVR all zero: no action code hits, TC with CDA (R7: P1 50). Signed TC → Approved.
    t = tx("20.00", uns=(UN1,)); c = comb(floor="100.00"); k = Card()
    write("amex-card-cda-tc-approved", desc("Amex card, EUR 20.00 below floor and CVM limits: 9F35 E2 (C-4 4.3.3), TVR 0000000000, No CVM 1F0302, TC with CDA (P1 50), CDA verified: Approved (c4.md R2, R4, R6, R7, R10).", k),
          SRC4, cfg(c), t, [tap(k, t, c, UN1, 0x50, '40', cvmr="1F0302")],
          {"outcome": "approved", "cvm": "no_cvm", "ui": ["card_read_ok", "approved"],
           "data": {"95": "0000000000", "9F35": "E2", "9F34": "1F0302", "9F27": "40", "9F26": AC}})
    # V2 online: floor 0.00 exceeded (TVR byte 4 b8); TAC online DE00FC9800 hits → ARQC+CDA (P1 90).
    t = tx("20.00", uns=(UN1,)); c = comb(floor="0.00")
    write("amex-card-cda-arqc-online", desc("Amex card, EUR 20.00 above the 0.00 floor limit: TVR 0000008000, TAC online DE00FC9800 hits (Book 3 10.7): ARQC with CDA (P1 90); signed ARQC: Online Request (c4.md R7, R10).", k),
          SRC4, cfg(c), t, [tap(k, t, c, UN1, 0x90, '80', tvr="0000008000", cvmr="1F0302")],
          {"outcome": "online_request", "cvm": "no_cvm", "ui": ["card_read_ok", "authorising"],
           "data": {"95": "0000008000", "9F27": "80", "9F26": AC, "9F34": "1F0302"}})
    # V3 declined: the card answers the ARQC request with an unsigned AAC (allowed, R9) → Declined.
    write("amex-card-aac-declined", desc("Amex card asked for an ARQC with CDA answers an unsigned AAC (Book 2 6.6.2: an AAC may come unsigned): Declined (c4.md R9, R10).", k),
          SRC4, cfg(c), t, [tap(k, t, c, UN1, 0x90, '00', tvr="0000008000", cvmr="1F0302", signed=False)],
          {"outcome": "declined", "ui": ["card_read_ok", "not_authorised"], "data": {"9F27": "00", "95": "0000008000"}})
    # V4 See phone two taps: 60.00 >= 50.00 CVM limit: 9F35 EA, 9F6E 18A04003 (R2, R3).
    t = tx("60.00", uns=(UN1, UN2)); c = comb(floor="50.00")
    locked, unlocked = Card(aip="1940", mobile="3F0301"), Card(aip="1940", mobile="010302")
    write("amex-phone-see-phone-two-taps", desc("Amex phone, EUR 60.00 at/above the CVM limit (9F35 EA, 9F6E 18A04003). Tap 1: 9F71 3F0301 (not verified): CVM failed 3F0001, TVR 0000808000, ARQC+CDA requested; the phone answers an AAC: See phone, Try Again at Start B (c4.md R11). Tap 2 (new UN): 9F71 010302: CDCVM 010002, TVR 0000008000, signed ARQC: Online Request (R6, R10).", locked, True),
          SRC4, cfg(c), t, [tap(locked, t, c, UN1, 0x90, '00', tvr="0000808000", cvmr="3F0001", signed=False),
                            tap(unlocked, t, c, UN2, 0x90, '80', tvr="0000008000", cvmr="010002")],
          {"outcome": "online_request", "cvm": "cdcvm", "tap_outcomes": ["try_again", "online_request"],
           "ui": ["see_phone", "present_card", "card_read_ok", "authorising"],
           "data": {"9F71": "010302", "9F34": "010002", "9F35": "EA", "95": "0000008000", "9F37": UN2}})
    # V5 CDCVM above the limit, first tap.
    write("amex-phone-cdcvm-above-cvm-limit-online", desc("Amex phone, EUR 60.00 at/above the CVM limit, 9F71 010302 (verified on the phone): CVM CDCVM 010002 (c4.md R6), floor 50.00 exceeded → ARQC with CDA: Online Request.", unlocked, True),
          SRC4, cfg(c), t, [tap(unlocked, t, c, UN1, 0x90, '80', tvr="0000008000", cvmr="010002")],
          {"outcome": "online_request", "cvm": "cdcvm", "data": {"9F34": "010002", "9F35": "EA", "9F71": "010302"}})
    # V6 below the limit: 9F71 3F0002 (not required) → No CVM 3F0002, TC → Approved.
    t = tx("10.00", uns=(UN1,)); c = comb(floor="50.00"); below = Card(aip="1940", mobile="3F0002")
    write("amex-phone-cdcvm-below-cvm-limit-approved", desc("Amex phone, EUR 10.00 below the CVM and floor limits (9F35 E2, 9F6E 18A00003), 9F71 3F0002 (no CVM, not required): No CVM 3F0002 (c4.md R6), TVR 0, TC with CDA: Approved.", below, True),
          SRC4, cfg(c), t, [tap(below, t, c, UN1, 0x50, '40', cvmr="3F0002")],
          {"outcome": "approved", "cvm": "no_cvm", "data": {"9F34": "3F0002", "9F35": "E2", "95": "0000000000"}})
    # V7 bad signature: the SDAD is corrupted → CDA failed, End Application (R10).
    t = tx("20.00", uns=(UN1,)); c = comb(floor="0.00")
    write("amex-card-cda-bad-signature-end-application", desc("Amex card whose Signed Dynamic Application Data does not verify (one bit flipped): CDA failed on the GENERATE AC response ends the application (Book 2 6.6.2, c4.md R10), nothing approved.", k),
          SRC4, cfg(c), t, [tap(k, t, c, UN1, 0x90, '80', tvr="0000008000", cvmr="1F0302", corrupt=True)],
          {"outcome": "end_application", "ui": ["try_another_card"], "absent": []})
    # V8 unknown CAPK: index 99 not configured → CDA failed before GENERATE AC (TVR 0400008000), no CDA requested (P1 80).
    unknown = Card(capk="99")
    write("amex-card-unknown-capk-online-without-cda", desc("Amex card naming CA key 99, which the terminal does not have: 'CDA failed' before GENERATE AC (c4.md R4), so CDA is not requested (P1 80, ARQC: TAC online byte 1 b3); the unsigned ARQC goes online with TVR 0400008000.", unknown),
          SRC4, cfg(c), t, [tap(unknown, t, c, UN1, 0x80, '80', tvr="0400008000", cvmr="1F0302", signed=False)],
          {"outcome": "online_request", "data": {"95": "0400008000", "9F26": AC}})
    # V9 expired issuer certificate (12/25 on 2026-11-26): CDA fails on the response.
    expired = Card(issuer_expiry="1225")
    write("amex-card-expired-issuer-certificate-end-application", desc("Amex card whose issuer public key certificate expired 12/2025 (transaction 2026-11-26): key recovery fails (Book 2 5.3 step 6), CDA failed: End Application (c4.md R10).", expired),
          SRC4, cfg(c), t, [tap(expired, t, c, UN1, 0x90, '80', tvr="0000008000", cvmr="1F0302")],
          {"outcome": "end_application"})
    # V10 over the transaction limit: Book B 3.1.1.4, no combination allowed → Try Another Interface.
    t = tx("1000.00", uns=(UN1,)); c = comb()
    write("amex-over-transaction-limit-try-another-interface", "EUR 1000.00 at the Amex Reader Contactless Transaction Limit 1000.00: the only combination is not allowed (Book B 3.1.1.4), Try Another Interface before any card is polled (Book B 3.1.1.7).",
          SRC4, cfg(c), t, [], {"outcome": "try_another_interface", "ui": ["insert_or_swipe"]})
    # V11 zero amount: allowed online (Book B 3.1.1.3): TAA says TC, zero amount → ARQC (R7).
    t = tx("0.00", uns=(UN1,)); c = comb(floor="100.00")
    write("amex-zero-amount-online", desc("EUR 0.00 with zero amounts allowed online (Book B 3.1.1.3): TVR 0 would allow a TC, but a zero amount needs an online cryptogram: ARQC with CDA (c4.md R7): Online Request.", k),
          SRC4, cfg(c), t, [tap(k, t, c, UN1, 0x90, '80', cvmr="1F0302")],
          {"outcome": "online_request", "data": {"9F02": "000000000000", "95": "0000000000"}})
    # V12 refund: AAC without CDA (R7, R9) → the card's AAC ends with the data record (R10).
    t = dict(tx("15.00", uns=(UN1,)), type="refund"); c = comb(floor="0.00")
    write("amex-card-refund-aac-end-application", desc("Amex refund of EUR 15.00: Kernel 4 asks for an AAC, unsigned (P1 00, c4.md R7, R9); the card's AAC ends the application with the data record for the acquirer (c4.md R10).", k),
          SRC4, cfg(c), t, [tap(k, t, c, UN1, 0x00, '00', tvr="0000008000", cvmr="1F0302", signed=False)],
          {"outcome": "end_application", "data": {"9C": "20", "9F27": "00"}})
    # V13 card removed at GENERATE AC: communication error → Try Again (Book B 3.2.1.3).
    t = tx("20.00", uns=(UN1,))
    write("amex-card-removed-at-generate-ac", desc("The Amex card leaves the field when GENERATE AC is sent: a communication error asks for the card again (Try Again, Book B 3.2.1.3); with no further tap the replay ends there.", k),
          SRC4, cfg(c), t, [tap(k, t, c, UN1, 0x90, gac_error="card_removed", tvr="0000008000", cvmr="1F0302")],
          {"outcome": "try_again", "ui": ["present_card_again"]})
    # V14 hostile: malformed GPO answer → End Application.
    write("amex-gpo-malformed-end-application", "The Amex card answers GET PROCESSING OPTIONS with a 77 template whose AIP length runs past the end: malformed response, End Application (Book 3 6.5.8.4, c4.md R1).",
          SRC4, cfg(c), t, [tap(k, t, c, UN1, gpo_r="770682041980" + "9000")], {"outcome": "end_application"})
    # V15 hostile: TC returned to a refund's AAC request → not allowed, End Application (Book 3 9.2.1).
    t = dict(tx("15.00", uns=(UN1,)), type="refund")
    write("amex-card-tc-to-aac-request-end-application", desc("Hostile Amex card: asked for an AAC (refund), it returns a TC; a cryptogram above the one requested is not allowed (Book 3 9.2.1): End Application, nothing approved.", k),
          SRC4, cfg(c), t, [tap(k, t, c, UN1, 0x00, '40', tvr="0000008000", cvmr="1F0302", signed=False)],
          {"outcome": "end_application"})
    # V16 hostile: CDA requested, TC comes without SDAD → End Application (R9).
    t = tx("20.00", uns=(UN1,)); c = comb(floor="100.00")
    write("amex-card-cda-requested-unsigned-tc-end-application", desc("Hostile Amex card: asked for a TC with CDA it answers an unsigned TC: a TC or ARQC must carry the signature CDA asked for (Book 2 6.6.2, c4.md R9): End Application.", k),
          SRC4, cfg(c), t, [tap(k, t, c, UN1, 0x50, '40', cvmr="1F0302", signed=False)],
          {"outcome": "end_application"})
    # V17 delayed authorisation: 9F6E byte 4 b7 → ARQC gives Online Request with card_read_ok (R12).
    t = tx("20.00", uns=(UN1,)); c = comb(floor="0.00", ecrc="18A00043")
    write("amex-delayed-authorisation-online", desc("Reader configured as a Delayed Authorisation Terminal (9F6E 18A00043): the ARQC is an Online Request sent after the card has left, shown as 'card read OK, remove card' rather than 'authorising' (c4.md R12).", k),
          SRC4, cfg(c), t, [tap(k, t, c, UN1, 0x90, '80', tvr="0000008000", cvmr="1F0302")],
          {"outcome": "online_request", "ui": ["card_read_ok"], "data": {"95": "0000008000"}},
          notes="9F6E is the reader's; it goes to the card in CDOL1 (18A00043) and is not copied into the data record.")
    # V18 signature above the CVM limit: 9F6E byte 2 b6 signature, no online PIN → 1E0300 (R6).
    t = tx("60.00", uns=(UN1,)); c = comb(floor="0.00")
    write("amex-card-signature-above-cvm-limit-online", desc("Amex card, EUR 60.00 at/above the CVM limit (9F35 EA): the reader offers signature but no online PIN (9F6E byte 2 A0), so the CVM list 42031E031F03 gives signature 1E0300 (Book 3 10.5, c4.md R6); ARQC with CDA: Online Request with signature.", k),
          SRC4, cfg(c), t, [tap(k, t, c, UN1, 0x90, '80', tvr="0000008000", cvmr="1E0300")],
          {"outcome": "online_request", "cvm": "signature", "data": {"9F34": "1E0300", "9F35": "EA"}})
    # V20 a locked phone below the CVM limit: 9F71 3F0001 (not verified, not required, failed)
    # and an AAC: R11 (failed) → See phone; tap 2 unlocked 010002 → CDCVM, TC with CDA, Approved.
    t = tx("25.00", uns=(UN1, UN2)); c = comb(floor="50.00")
    locked_low, unlocked_low = Card(aip="1940", mobile="3F0001"), Card(aip="1940", mobile="010002")
    write("amex-phone-locked-below-cvm-limit-see-phone-two-taps", desc("Locked Amex phone at EUR 25.00, below the CVM limit (9F35 E2): tap 1 9F71 3F0001 (no CVM, failed) → No CVM 3F0002 (c4.md R6), TC with CDA asked for; the phone answers an AAC: its verification failed, so See phone, Try Again (c4.md R11). Tap 2 unlocked, 9F71 010002: CDCVM, TC with CDA: Approved.", locked_low, True),
          SRC4, cfg(c), t, [tap(locked_low, t, c, UN1, 0x50, '00', cvmr="3F0002", signed=False),
                            tap(unlocked_low, t, c, UN2, 0x50, '40', cvmr="010002")],
          {"outcome": "approved", "cvm": "cdcvm", "tap_outcomes": ["try_again", "approved"],
           "ui": ["see_phone", "present_card", "card_read_ok", "approved"],
           "data": {"9F71": "010002", "9F34": "010002", "9F35": "E2", "9F37": UN2}})
    # V21 GET DATA refused: the phone answers 6A88 (data not found); R8 ignores it and goes on.
    t = tx("60.00", uns=(UN1,)); c = comb(floor="50.00")
    write("amex-phone-get-data-6a88-ignored-online", desc("Amex phone answering the reader's GET DATA ATC with 6A88 (referenced data not found): the ATC is optional, the answer is ignored (c4.md R8) and the transaction goes on: CDCVM, ARQC with CDA, Online Request.", unlocked, True),
          SRC4, cfg(c), t, [tap(unlocked, t, c, UN1, 0x90, '80', tvr="0000008000", cvmr="010002", getdata_r="6A88")],
          {"outcome": "online_request", "cvm": "cdcvm", "data": {"9F36": "0042"}})
    # V19 selection: a PPSE listing Visa (priority 2), Mastercard (3) and Amex (1, no 9F2A:
    # RID default kernel 4): Book B 3.3.2.5 makes all three candidates, 3.3.3 picks priority 1.
    t = tx("20.00", uns=(UN1,)); c = comb(floor="100.00")
    three = ppse(("A0000000031010", 2, None, "VISA"), ("A0000000041010", 3, "02", "MASTERCARD"), (AID, 1, None, "AMERICAN EXPRESS"))
    config = {"terminal": TERMINAL, "combinations": [visa_comb(), {"aid": "A0000000041010", "kernel": 2}, c], "capks": [CAPK]}
    write("amex-ppse-priority-selects-kernel-4", desc("PPSE listing Visa (87 = 2), Mastercard (87 = 3, 9F2A 02) and American Express (87 = 1, no 9F2A: RID A000000025 → kernel 4, Book B 3.3.2.5): all three match a combination, the highest priority (1) is selected (Book B 3.3.3) and Kernel 4 runs: TC with CDA, Approved.", k),
          SRC4, config, t, [tap(k, t, c, UN1, 0x50, '40', cvmr="1F0302", ppse_r=three)],
          {"outcome": "approved", "data": {"84": AID, "9F26": AC}})
    print("amex vectors written")


if __name__ == "__main__":
    main()
