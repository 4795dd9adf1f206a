"""UnionPay QuickPass qUICS (Kernel 7) vectors, and the four-scheme selection vector.

The model builds every command itself (PPSE, SELECT, PDOL data with the pre-processed TTQ,
READ RECORD by the AFL, GET DATA 9F79) and signs the card's fDDA data itself: Book 2
issuer (format 02) and ICC (format 04) certificates and the format 05 Signed Dynamic
Application Data, computed here with Python's own modular arithmetic from the test keys
in assets/test-keys/keys.toml ([ca-unionpay], [issuer-unionpay], [icc-unionpay-card]).
Nothing here reads what the kernel printed. Each vector's `expect` is written by hand from
the rule its description cites; the rules and their public sources are in
docs/kernels/c7.md (numbered K7-n there and here)."""
import os, sys, hashlib, tomllib
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen import *
import outcome as ops

SRC7 = "synthetic: hand-built from C-7 as docs/kernels/c7.md settles it (qUICS) and Book B; card responses invented, fDDA data signed by model/unionpay.py with the UnionPay test keys"
HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, '..', '..', 'assets', 'test-keys', 'keys.toml'), 'rb') as f:
    KEYS = tomllib.load(f)

def rsa(name):
    k = KEYS[name]
    return int(k['modulus'], 16), int(k['exponent'], 16), int(k['private_exponent'], 16)
def modulus(name): return x(KEYS[name]['modulus'])
def sign(name, block):
    """RSA with the private exponent (Book 2 Annex A2.1): the signer's side."""
    n, _, d = rsa(name)
    assert len(block) == len(modulus(name)) and int.from_bytes(block, 'big') < n
    return pow(int.from_bytes(block, 'big'), d, n).to_bytes(len(block), 'big')
def sha1(*parts): return hashlib.sha1(b''.join(parts)).digest()

RID = "A000000333"
CAPK_INDEX = "54"
CAPK = {"rid": RID, "index": CAPK_INDEX, "modulus": h(modulus('ca-unionpay')),
        "exponent": "03", "expiry": "2035-12-31"}
DEBIT = "A000000333010101"
ECASH = "A000000333010106"
PAN = "6212345678901234"
T2 = PAN + "D29122010000000000000F"
PDOL = VISA_PDOL                    # K7-2: the PDOL asks for the TTQ, as C-3's does
PDOL_EC = VISA_PDOL + "9F7A01"      # K7-9: an e-cash card asks for 9F7A too
TTQ = "22004080"                    # K7-3: qUICS, signature, CDCVM, fDDA 01
AFL = "08010301"                    # SFI 1 records 1-3, record 1 signed (static data)
ATC = "0042"

def issuer_certificate(expiry="1230", serial="000001"):
    """Book 2 5.3 Table 13, format 02, signed with the CA key."""
    n_ca = len(modulus('ca-unionpay')); ni = modulus('issuer-unionpay')
    left, rem = ni[:n_ca - 36], ni[n_ca - 36:]
    body = (b'\x02' + x(PAN[:6] + "FF") + x(expiry) + x(serial) + b'\x01\x01'
            + bytes([len(ni), 1]) + left)
    block = b'\x6A' + body + sha1(body, rem, b'\x03') + b'\xBC'
    return sign('ca-unionpay', block), rem

def icc_certificate(static, expiry="1229", icc='icc-unionpay-card'):
    """Book 2 6.4 Table 14, format 04, signed with the issuer key, over the static data."""
    n_i = len(modulus('issuer-unionpay')); nic = modulus(icc)
    left, rem = nic[:n_i - 42], nic[n_i - 42:]
    body = (b'\x04' + x((PAN + "F" * (20 - len(PAN)))) + x(expiry) + x("000002") + b'\x01\x01'
            + bytes([len(nic), 1]) + left)
    block = b'\x6A' + body + sha1(body, rem, b'\x03', static) + b'\xBC'
    return sign('issuer-unionpay', block), rem

def sdad(un, amount, currency, card_auth, atc=ATC, icc='icc-unionpay-card'):
    """fDDA (K7-10): format 05, ICC dynamic data 02 || ATC, hash over the data ||
    9F37 || 9F02 || 5F2A || 9F69."""
    n = len(modulus(icc))
    head = b'\x05\x01\x03\x02' + x(atc)
    body = head + b'\xBB' * (n - len(head) - 22)
    block = b'\x6A' + body + sha1(body, x(un), x(amount), x(currency), x(card_auth)) + b'\xBC'
    return sign(icc, block)

def card_auth_data(ctq, version="01", card_un="A1B2C3D4"):
    """9F69 (K7-11): fDDA version, card unpredictable number, CTQ copy."""
    return version + card_un + ctq

def records(capk_index=CAPK_INDEX, icc_expiry="1229"):
    """SFI 1: record 1 (signed) PAN and expiry; records 2 and 3 the certificates."""
    r1 = tpl('70', tlv('5A', PAN), tlv('5F24', '291231'))
    static = r1[2:] if r1[1] < 0x80 else r1[3:]
    ic, irem = issuer_certificate()
    cc, crem = icc_certificate(static, icc_expiry)
    r2 = tpl('70', tlv('8F', capk_index), tlv('90', ic), tlv('92', irem), tlv('9F32', '03'))
    r3 = tpl('70', tlv('9F46', cc), tlv('9F47', '03'), tlv('9F48', crem))
    return [h(r) + "9000" for r in (r1, r2, r3)]
def read_records(recs): return [E(rr_cmd(1, i + 1), r) for i, r in enumerate(recs)]

def iad(cid):
    """IAD whose CVR byte 2 carries the cryptogram type (b6-b5: 00 AAC, 01 TC, 10 ARQC)."""
    return "07010103" + {"00": "80", "40": "90", "80": "A0"}[cid] + "0000"

def card(cid="80", ctq="0000", afl=AFL, sdad_value=None, cad=None, omit=(), extra=b'', with_cid=True):
    items = [('82', '2000'), ('94', afl), ('57', T2), ('5F34', '01'), ('9F10', iad(cid)),
             ('9F26', '1122334455667788'), ('9F27', cid if with_cid else None), ('9F36', ATC),
             ('9F4B', sdad_value), ('9F69', cad), ('9F6C', ctq)]
    b = b''.join(tlv(t, v) for t, v in items if v is not None and t not in omit)
    return h(tlv('77', b + extra)) + "9000"

def comb(aid=DEBIT, **kw):
    c = {"aid": aid, "kernel": 7, "ttq": TTQ, "transaction_limit": "100.00",
         "floor_limit": "0.00", "cvm_required_limit": "50.00"}
    c.update(kw); return c
OFFLINE = dict(floor_limit="20.00")
def config(*combs): return {"terminal": TERMINAL, "combinations": list(combs), "capks": [CAPK]}
ENTRY = (DEBIT, 1, None, "UNIONPAY DEBIT")
SEL = select_cmd(DEBIT)
FCI = fci(DEBIT, PDOL, "UNIONPAY DEBIT")

def gpo(c, t, un, pdol=PDOL, ec=None):
    """The GPO with the PDOL data the model builds (Book B 3.1.1 TTQ, Book 3 5.4 DOL)."""
    ttq, _ = preprocess(c['ttq'], t['amount'], t['currency'], c)
    y, m, d = t['date'].split('-')
    vals = {'9F66': ttq, '9F02': n12(minor(t['amount'], t['currency'])), '9F03': n12(0),
            '9F1A': TERMINAL['9F1A'], '95': '0000000000', '5F2A': '0' + t['currency'],
            '9A': y[2:] + m + d, '9C': TYPE_9C[t['type']], '9F37': un}
    if ec: vals['9F7A'] = ec
    return gpo_cmd(dol_build(pdol, vals)), ttq
TYPE_9C = {"purchase": "00", "refund": "20"}
def amount_n12(t): return n12(minor(t['amount'], t['currency']))

def tap(c, t, un, card_resp, recs=None, pdol=PDOL, sel=SEL, fci_=FCI, ppse_=None, extra=()):
    g, ttq = gpo(c, t, un, pdol, ec=c.get('tags', {}).get('9F7A'))
    ex = [E(PPSE_CMD, ppse_ or ppse(ENTRY)), E(sel, fci_), E(g, card_resp)]
    ex += read_records(recs or [])
    return ex + list(extra), ttq

def signed_tc(t, un, ctq="0000", **kw):
    """A TC with a good fDDA signature over this transaction (K7-10)."""
    cad = card_auth_data(ctq)
    s = sdad(un, amount_n12(t), '0' + t['currency'], cad)
    return card("40", ctq=ctq, sdad_value=h(s), cad=cad, **kw), s

def vector(name, desc, c, t, taps, expect, notes=None):
    write(name, desc, SRC7, config(c), t, taps, expect, notes)

UN = "11223344"
REC = records()

# 1 offline approval with fDDA
t = tx("12.34"); c = comb(**OFFLINE)
resp, _ = signed_tc(t, UN)
ex, ttq = tap(c, t, UN, resp, REC)
assert ttq == "22004080"
vector("unionpay-card-fdda-offline-approved",
       "UnionPay debit card, EUR 12.34 below the 20.00 floor limit and the 50.00 CVM limit (TTQ 22004080 unchanged, K7-3, Book B 3.1.1): the GPO returns a TC with SDAD and 9F69 version 01; the terminal reads SFI 1 records 1-3 (K7-5), recovers the issuer and ICC keys from the UnionPay test CA A000000333/54 (Book 2 5.3, 6.4) and verifies fDDA over 9F37, 9F02, 5F2A and 9F69 (K7-10); the card is not expired (K7-8) and asks for no CVM (CTQ 0000, K7-12): Approved, no CVM (K7-13).",
       c, t, [ex],
       {"outcome": "approved", "cvm": "no_cvm", "tap_outcomes": ["approved"],
        "ui": ["present_card", "card_read_ok", "approved"],
        "data": {"9F27": "40", "9F66": "22004080", "84": DEBIT, "9F36": ATC, "5A": PAN},
        "absent": ["9F79"], "outcome_parameter_set": ops.final("approved", "no_cvm")})

# 2 online
t = tx("12.34"); c = comb()
ex, ttq = tap(c, t, UN, card("80"), REC)
vector("unionpay-card-online-arqc",
       "UnionPay card, EUR 12.34 above the 0.00 floor limit: pre-processing sets TTQ byte 2 b8 (22804080, Book B 3.1.1.5); the card returns an ARQC; the records are read (K7-5) but no ODA is done on the online path (K7-10); CTQ 0000 below the CVM limit: Online Request, no CVM (K7-7, K7-13).",
       c, t, [ex],
       {"outcome": "online_request", "cvm": "no_cvm", "tap_outcomes": ["online_request"],
        "ui": ["card_read_ok", "authorising"],
        "data": {"9F27": "80", "9F26": "1122334455667788", "9F66": "22804080", "9F10": iad("80"), "57": T2},
        "outcome_parameter_set": ops.final("online_request", "no_cvm")})
assert ttq == "22804080"

# 3 declined
ex, _ = tap(c, t, UN, card("00"), REC)
vector("unionpay-card-aac-declined",
       "UnionPay card returns an AAC: Decline Required by Reader (K7-7), Declined with the data record (K7-13).",
       c, t, [ex],
       {"outcome": "declined", "cvm": "n/a", "tap_outcomes": ["declined"], "data": {"9F27": "00"},
        "outcome_parameter_set": ops.final("declined")})

# 4 See phone, two taps
t = tx("60.00", uns=(UN, "55667788")); c = comb()
cad = card_auth_data("0080")
t1, _ = tap(c, t, UN, "6986")
t2, ttq = tap(c, t, "55667788", card("80", ctq="0080", cad=cad, afl=None))
vector("unionpay-phone-see-phone-two-taps",
       "UnionPay phone (Mi Pay style) answers the first GPO with 6986, the wallet is locked: Try Again at Start B with 'See phone' (K7-6, as C-3 5.2.2.2); the cardholder unlocks and taps again (new unpredictable number); EUR 60.00 is at the CVM limit (TTQ 22C04080); the ARQC comes with CTQ 0080 (CDCVM performed) and a 9F69 whose CTQ copy matches: Online Request with CDCVM (K7-12).",
       c, t, [t1, t2],
       {"outcome": "online_request", "cvm": "cdcvm", "tap_outcomes": ["try_again", "online_request"],
        "ui": ["present_card", "see_phone", "present_card", "card_read_ok"],
        "data": {"9F37": "55667788", "9F66": "22C04080", "9F6C": "0080"},
        "outcome_parameter_set": ops.final("online_request", "cdcvm"),
        "tap_outcome_parameter_sets": [ops.see_phone(), ops.final("online_request", "cdcvm")]})
assert ttq == "22C04080"

# 5/6 CDCVM below and above the CVM limit
for amount, name, ttq_expect, words in (("12.34", "below", "22804080", "below the 50.00 CVM limit (TTQ 22804080, no CVM required)"),
                                        ("75.00", "above", "22C04080", "above the 50.00 CVM limit (TTQ 22C04080, CVM required)")):
    t = tx(amount); c = comb()
    ex, ttq = tap(c, t, UN, card("80", ctq="0080", cad=card_auth_data("0080"), afl=None))
    assert ttq == ttq_expect
    vector(f"unionpay-phone-cdcvm-{name}-cvm-limit-online",
           f"UnionPay phone, EUR {amount} {words}: the device reports CDCVM performed (CTQ byte 2 b8) and the signed-data copy of the CTQ in 9F69 bytes 6-7 agrees, so the CVM is CDCVM whatever the limit (K7-12, as C-3 5.7.1.2); ARQC without AFL: Online Request.",
           c, t, [ex],
           {"outcome": "online_request", "cvm": "cdcvm", "data": {"9F66": ttq_expect, "9F6C": "0080"},
            "outcome_parameter_set": ops.final("online_request", "cdcvm")})

# 7 CVM required, card asks for a signature
t = tx("60.00"); c = comb()
ex, _ = tap(c, t, UN, card("80", ctq="4000"), REC)
vector("unionpay-card-above-cvm-limit-signature",
       "UnionPay plastic card at EUR 60.00 (TTQ 22C04080, CVM required), CTQ 4000 (signature required) and the reader takes signatures: Online Request with Obtain Signature and a receipt (K7-12, JR/T 0025.12 7.8.3).",
       c, t, [ex],
       {"outcome": "online_request", "cvm": "signature", "data": {"9F6C": "4000"},
        "outcome_parameter_set": ops.final("online_request", "signature")})

# 8-11 fDDA failures on the offline path
t = tx("12.34"); c = comb(**OFFLINE)
resp, s = signed_tc(t, UN)
bad = bytearray(s); bad[-1] ^= 0x01
cad = card_auth_data("0000")
ex, _ = tap(c, t, UN, card("40", sdad_value=h(bytes(bad)), cad=cad), REC)
vector("unionpay-card-fdda-bad-signature-declined",
       "UnionPay card returns a TC whose SDAD has its last byte changed: the recovered block no longer ends in BC / hashes right (Book 2 6.5), fDDA fails; CTQ 0000 offers no fallback: Declined (K7-10).",
       c, t, [ex], {"outcome": "declined", "cvm": "n/a", "data": {"9F27": "40"},
                    "outcome_parameter_set": ops.final("declined")})
ex, _ = tap(c, t, UN, resp, records(capk_index="99"))
vector("unionpay-card-fdda-unknown-capk-index-declined",
       "UnionPay card names CA public key index 99 (8F) for RID A000000333, which the terminal does not hold: no issuer key, fDDA fails (Book 2 5.2), CTQ 0000: Declined (K7-10).",
       c, t, [ex], {"outcome": "declined", "cvm": "n/a"})
resp_x, _ = signed_tc(t, UN)
ex, _ = tap(c, t, UN, resp_x, records(icc_expiry="1025"))
vector("unionpay-card-fdda-expired-icc-certificate-declined",
       "UnionPay card's ICC public key certificate expired in October 2025 (MMYY 1025), before the transaction date 2026-11-26: the ICC key is not recovered (Book 2 6.4 step 8), fDDA fails, CTQ 0000: Declined (K7-10).",
       c, t, [ex], {"outcome": "declined", "cvm": "n/a"})
cad = card_auth_data("2000")
ex, _ = tap(c, t, UN, card("40", ctq="2000", sdad_value=h(bytes(bad)), cad=cad), REC)
vector("unionpay-card-fdda-failed-ctq-online",
       "The same bad signature, but CTQ 2000 (go online if offline data authentication fails) and the reader is online capable: Online Request instead of a decline (K7-10, JR/T 0025.12 Annex B with CTQ byte 1 b6).",
       c, t, [ex], {"outcome": "online_request", "cvm": "no_cvm", "data": {"9F27": "40", "9F6C": "2000"}})
cad0 = card_auth_data("0000", version="00")
s0 = sdad(UN, amount_n12(t), '0978', cad0)
ex, _ = tap(c, t, UN, card("40", sdad_value=h(s0), cad=cad0), REC)
vector("unionpay-card-fdda-version-00-declined",
       "UnionPay card signs correctly but its 9F69 says fDDA version 00: Kernel 7 supports version 01 only and treats 00 as a failed verification (K7-10, payprobe's C-7 summary), CTQ 0000: Declined.",
       c, t, [ex], {"outcome": "declined", "cvm": "n/a"})

# 12 limits
t = tx("100.00"); c = comb()
vector("unionpay-over-transaction-limit-try-another-interface",
       "EUR 100.00 is at the UnionPay combination's contactless transaction limit (100.00): the combination is not allowed, Try Another Interface with 'Insert or swipe' before any card is polled (Book B 3.1.1.4, 3.1.1.13). No commands.",
       c, t, [], {"outcome": "try_another_interface", "ui": ["insert_or_swipe"], "tap_outcomes": [],
                  "outcome_parameter_set": ops.try_another_interface()})

# 13 zero amount
t = tx("0.00"); c = comb(**OFFLINE)
ex, ttq = tap(c, t, UN, card("80"), REC)
assert ttq == "22804080"
vector("unionpay-zero-amount-online",
       "Amount 0.00 with zero amounts allowed online: pre-processing sets TTQ byte 2 b8 (22804080) even below the floor limit (Book B 3.1.1.3; JR/T 0025.12 6.2 step 2 says the same for qUICS); the card returns an ARQC: Online Request.",
       c, t, [ex], {"outcome": "online_request", "data": {"9F02": "000000000000", "9F66": "22804080"}})

# 14 refund
t = dict(tx("12.34"), type="refund"); c = comb()
ex, _ = tap(c, t, UN, card("80"), REC)
vector("unionpay-refund-arqc-online",
       "A refund (9C 20, Book 3 Annex A) on a UnionPay card: the PDOL data carries 9C 20; Kernel 7 treats it as the quick flow does any transaction (K7-14, decided): the ARQC goes online for the acquirer to process the refund.",
       c, t, [ex], {"outcome": "online_request", "data": {"9C": "20", "9F27": "80"}})

# 15 card removed
t = tx("12.34"); c = comb()
g, _ = gpo(c, t, UN)
vector("unionpay-card-removed-at-read-record-try-again",
       "The UnionPay card leaves the field at READ RECORD SFI 1 record 2: a communication error, Try Again with 'Present card again' (Book B 3.2.1.3, as for every kernel); no second tap comes.",
       c, t, [[E(PPSE_CMD, ppse(ENTRY)), E(SEL, FCI), E(g, card("80")), E(rr_cmd(1, 1), REC[0]),
               E(rr_cmd(1, 2), error="card_removed")]],
       {"outcome": "try_again", "tap_outcomes": ["try_again"], "ui": ["present_card_again"],
        "outcome_parameter_set": ops.l1_error()})

# 16-18 hostile answers
ex, _ = tap(c, t, UN, "770B82022000" + "9F2608112233" + "9000")
vector("unionpay-gpo-malformed-tlv-end-application",
       "The GPO response template claims more bytes than it holds (9F26 length 08 with 3 bytes left): malformed data, End Application, never approved (K7-7).",
       c, t, [ex], {"outcome": "end_application", "ui": ["try_another_card"],
                    "outcome_parameter_set": ops.end_with_message()})
ex, _ = tap(c, t, UN, card("80", omit=('57',)), REC)
vector("unionpay-missing-track2-end-application",
       "The card returns an ARQC without Track 2 Equivalent Data (57), which the quick flow requires when not declining (K7-7, as C-3 5.4.2.1): End Application, no data record.",
       c, t, [ex], {"outcome": "end_application", "ui": ["try_another_card"],
                    "outcome_parameter_set": ops.end_with_message()})
t = tx("60.00")
ex, _ = tap(c, t, UN, card("80", ctq="0080", cad=card_auth_data("0000"), afl=None))
vector("unionpay-phone-9f69-ctq-copy-mismatch-declined",
       "A device claims CDCVM in the unsigned CTQ (0080) but the CTQ copy in 9F69 is 0000: a relay or a tampered answer, the claim is refused and the transaction declined (K7-12, as C-3 5.7.1.2).",
       c, t, [ex], {"outcome": "declined", "cvm": "n/a", "tap_outcomes": ["declined"],
                    "outcome_parameter_set": ops.final("declined")})

# 19-20 electronic cash balance
ECC = comb(aid=ECASH, tags={"9F7A": "01"}, **OFFLINE)
EC_ENTRY = (ECASH, 1, None, "UNIONPAY ECASH")
EC_FCI = fci(ECASH, PDOL_EC, "UNIONPAY ECASH")
GET_BALANCE = "80CA9F7900"
t = tx("12.34")
resp, _ = signed_tc(t, UN)
ex, _ = tap(ECC, t, UN, resp, REC, pdol=PDOL_EC, sel=select_cmd(ECASH), fci_=EC_FCI,
            ppse_=ppse(EC_ENTRY), extra=[E(GET_BALANCE, "9F7906000000008766" + "9000")])
assert dol_build(PDOL_EC, {'9F7A': '01'})[-1] == 1
vector("unionpay-ecash-balance-read-approved",
       "UnionPay e-cash application (A000000333010106) on a combination whose Electronic Cash Terminal Support Indicator 9F7A is 01: the PDOL asks for 9F7A and gets 01; after the last record the terminal reads the balance with GET DATA 9F79 (UICS Part II H.2.2, K7-9) while the card is in the field; the offline TC passes fDDA: Approved, and the data record carries the balance 9F79 000000008766 (87.66) for the screen and receipt.",
       ECC, t, [ex],
       {"outcome": "approved", "cvm": "no_cvm", "ui": ["card_read_ok", "approved"],
        "data": {"9F79": "000000008766", "84": ECASH, "9F27": "40"},
        "outcome_parameter_set": ops.final("approved", "no_cvm")})
ECC_ON = comb(aid=ECASH, tags={"9F7A": "01"})
ex, _ = tap(ECC_ON, t, UN, card("80"), REC, pdol=PDOL_EC, sel=select_cmd(ECASH), fci_=EC_FCI,
            ppse_=ppse(EC_ENTRY), extra=[E(GET_BALANCE, "6A88")])
vector("unionpay-ecash-balance-not-available-online",
       "The e-cash combination asks for the balance but the card answers GET DATA 9F79 with 6A88 (data not found): the balance is information only, so the transaction goes on without it (K7-9, billzbh/XML2Java ignores a failed read the same way): ARQC, Online Request, no 9F79 in the data record.",
       ECC_ON, t, [ex], {"outcome": "online_request", "absent": ["9F79"]})

# 21 the cryptogram type from the IAD when the card sends no CID
t = tx("12.34"); c = comb()
ex, _ = tap(c, t, UN, card("80", with_cid=False), REC)
vector("unionpay-card-no-cid-iad-arqc-online",
       "qUICS cards may leave out the CID (9F27): the cryptogram type is then IAD byte 5 (CVR byte 2) b6-b5, here A0 = 10 ARQC (K7-7, JR/T 0025.12 6.5.4 as billzbh/XML2Java reads it): Online Request, the kernel's CID 80 in the data record.",
       c, t, [ex], {"outcome": "online_request", "data": {"9F27": "80", "9F10": iad("80")}})
print("unionpay vectors written")

# The four-scheme PPSE: priorities and kernel identifiers (Book B 3.3.2.5, 3.3.2.6)
t = tx("12.34")
visa = visa_comb(); mc = {"aid": "A0000000041010", "kernel": 2}
amex = {"aid": "A00000002501", "kernel": 4}; up = comb()
entries = ppse(("A0000000031010", 2, "03", "VISA"), ("A0000000041010", 3, "02", "MASTERCARD"),
               (DEBIT, 1, "07", "UNIONPAY DEBIT"), ("A00000002501", 4, "04", "AMEX"))
g, _ = gpo(up, t, UN)
write("selection-four-schemes-priority-unionpay",
      "A PPSE lists Visa (priority 2, kernel 03), Mastercard (3, kernel 02), UnionPay (1, kernel 07) and American Express (4, kernel 04); the reader has a combination for each. Every entry matches its combination by AID and kernel identifier (Book B 3.3.2.5 steps B-C); the candidate list is ordered by Application Priority Indicator, 1 highest (3.3.2.6), so UnionPay is selected (3.3.3) and Kernel 7 completes it: ARQC, Online Request.",
      SRCB, {"terminal": TERMINAL, "combinations": [visa, mc, amex, up], "capks": [CAPK]}, t,
      [[E(PPSE_CMD, entries), E(SEL, FCI), E(g, card("80")), *read_records(REC)]],
      {"outcome": "online_request", "tap_outcomes": ["online_request"],
       "data": {"84": DEBIT, "9F66": "22804080"}})
print("four-scheme selection vector written")
