import os, sys; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen import *
import outcome as ops

VISA = ("A0000000031010", 1, None, "VISA CREDIT")
PPSE_VISA = ppse(VISA)
SEL = select_cmd("A0000000031010")
FCI = fci("A0000000031010", VISA_PDOL)
MIN = " Commands: the spec minimum for this path (PPSE, final SELECT, GPO{})."
CFG = lambda *combs, terminal=TERMINAL: {"terminal": terminal, "combinations": list(combs)}
BASE_DATA = lambda t, ttq, un: {"9F02": n12(minor(t['amount'], t['currency'])), "5F2A": "0" + t['currency'],
    "9A": t['date'][2:4] + t['date'][5:7] + t['date'][8:10], "9C": "00", "9F37": un, "9F66": ttq}

def simple(name, desc, card_resp, expect, amount="12.34", comb=None, notes=None, extra_taps=None, rr=None):
    comb = comb or visa_comb()
    t = tx(amount)
    g, ttq = visa_gpo(comb, t, "11223344")
    ex = [E(PPSE_CMD, PPSE_VISA), E(SEL, FCI), E(g, card_resp)] + (rr or [])
    write(name, desc, SRC3, CFG(comb), t, [ex], expect, notes)
    return ttq

# 1 online ARQC, no ODA
t = tx(); comb = visa_comb()
g, ttq = visa_gpo(comb, t, "11223344")
d = BASE_DATA(t, ttq, "11223344"); d.update({"9F27": "80", "9F26": "A1B2C3D4E5F60718", "9F36": "0042",
    "9F10": "06011203A00000", "82": "0000", "57": T2, "84": "A0000000031010", "9F6E": "20700000"})
write("visa-qvsdc-online-arqc-no-oda",
      "Visa card, EUR 12.34 above the 0.00 floor limit (TTQ b2.b8 set), ARQC without AFL or SDAD, CTQ 0000, amount below the CVM limit: Online Request, no CVM." + MIN.format(""),
      SRC3, CFG(comb), t, [[E(PPSE_CMD, PPSE_VISA), E(SEL, FCI), E(g, visa_card())]],
      {"outcome": "online_request", "cvm": "no_cvm", "tap_outcomes": ["online_request"],
       "ui": ["present_card", "card_read_ok"], "data": d, "absent": ["9F4B"],
       "outcome_parameter_set": ops.final("online_request", "no_cvm"),
       "tap_outcome_parameter_sets": [ops.final("online_request", "no_cvm")]},
      notes="Outcome Parameter Set (DF8129, C-2 Annex A encoding, model/outcome.py): Online Request with a UI Request on Outcome ('Authorising', Not Ready, no hold) and the data record, CVM No CVM, everything else N/A (C-2 S910.74-S910.75 applied to Kernel 3, Book A 6.2).")

# 2 signature
simple("visa-qvsdc-online-signature",
       "Visa card, EUR 60.00 at or above the 50.00 CVM required limit (TTQ 36C04000), CTQ 4000 (signature required) and TTQ signature supported: Online Request with Obtain Signature (C-3 5.7)." + MIN.format(""),
       visa_card(ctq='4000'), {"outcome": "online_request", "cvm": "signature",
       "data": {"9F66": "36C04000", "9F6C": "4000"},
       "outcome_parameter_set": ops.final("online_request", "signature")}, amount="60.00",
       notes="Outcome Parameter Set (DF8129, C-2 Annex A encoding, model/outcome.py): Online Request with Obtain Signature asks for a receipt (byte 5 b4), with the UI Request on Outcome and the data record.")
# 3 online PIN
simple("visa-qvsdc-online-pin",
       "Visa card, EUR 60.00 above the CVM limit, CTQ 8000 (online PIN required) and TTQ online PIN supported: Online Request with Online PIN (C-3 5.7, online PIN comes first)." + MIN.format(""),
       visa_card(ctq='C000'), {"outcome": "online_request", "cvm": "online_pin"}, amount="60.00",
       notes="CTQ C000 asks for both online PIN and signature; C-3 checks online PIN first.")

# 4/5 CDCVM with 9F69 in a record
def cdcvm_card(copy):
    rec = h(tpl('70', tlv('5A', PAN), tlv('5F24', '291231'), tlv('9F69', '01AABBCCDD' + copy + '0000'))) + "9000"
    return visa_card(ctq='0080', afl='18010100', extra=tlv('9F6E', '23880000') if False else b''), rec
card, rec = cdcvm_card('0080')
simple("visa-phone-cdcvm-9f69-match-online",
       "Visa phone (CTQ 0080: CDCVM performed) at EUR 60.00 above the CVM limit; the signed Card Authentication Related Data 9F69 (SFI 3 record 1) carries the same CTQ copy: CDCVM accepted, Online Request." + MIN.format(", one READ RECORD for AFL 18010100"),
       card, {"outcome": "online_request", "cvm": "cdcvm", "data": {"9F6C": "0080"}}, amount="60.00",
       rr=[E(rr_cmd(3, 1), rec)])
card, rec = cdcvm_card('0000')
simple("visa-phone-cdcvm-9f69-mismatch-declined",
       "Visa device claims CDCVM in the CTQ (0080) but the CTQ copy in 9F69 is 0000 (a relay edited the unsigned CTQ): the CDCVM claim is refused and the transaction declined (brief B, C-3 5.7)." + MIN.format(", one READ RECORD for AFL 18010100"),
       card, {"outcome": "declined", "cvm": "n/a", "tap_outcomes": ["declined"]}, amount="60.00",
       rr=[E(rr_cmd(3, 1), rec)])

# 6 6986 two taps
t = tx("60.00", uns=("11223344", "55667788")); comb = visa_comb()
g1, ttq = visa_gpo(comb, t, "11223344"); g2, _ = visa_gpo(comb, t, "55667788")
ok = visa_card(ctq='0080', extra=tlv('9F69', '0155667788' + '0080' + '0000'))
write("visa-phone-6986-see-phone-two-taps",
      "Visa phone answers the first GPO with 6986 (authenticate on the device): Try Again with See Phone, Start B; on the second tap (new unpredictable number) it returns an ARQC with CDCVM performed and a matching 9F69: Online Request, CDCVM (C-3 5.2.2.2)." + " Commands: the spec minimum (PPSE, SELECT, GPO on each tap).",
      SRC3, CFG(comb), t, [[E(PPSE_CMD, PPSE_VISA), E(SEL, FCI), E(g1, "6986")],
                           [E(PPSE_CMD, PPSE_VISA), E(SEL, FCI), E(g2, ok)]],
      {"outcome": "online_request", "cvm": "cdcvm", "tap_outcomes": ["try_again", "online_request"],
       "ui": ["present_card", "see_phone", "present_card", "card_read_ok"], "data": {"9F37": "55667788"},
       "outcome_parameter_set": ops.final("online_request", "cdcvm"),
       "tap_outcome_parameter_sets": [ops.see_phone(), ops.final("online_request", "cdcvm")]},
      notes="Outcome Parameter Set (DF8129, C-2 Annex A encoding, model/outcome.py): tap 1 is Try Again at Start B with 'See phone' on the outcome, 'Present card' on restart and the field off for 1.3 s (7010F0F0C0F00D00, C-3 5.2.2.2 as tapterm reads it, hold of brief A); tap 2 is Online Request with CDCVM, UI Request on Outcome and data record.")

# 7 6984
simple("visa-gpo-6984-try-another-interface",
       "Visa card answers GPO with 6984: Try Another Interface (C-3 5.2.2)." + MIN.format(""),
       "6984", {"outcome": "try_another_interface", "cvm": "n/a", "absent": [],
       "outcome_parameter_set": ops.try_another_interface()},
       notes="Outcome Parameter Set (DF8129, C-2 Annex A encoding, model/outcome.py): Try Another Interface with a UI Request on Outcome; Alternate Interface Preference N/A, no data record.")

# 8 6985 select next
comb1 = visa_comb(); comb2 = visa_comb(aid="A0000000032010")
t = tx()
g, ttq = visa_gpo(comb1, t, "11223344")
p2 = ppse(VISA, ("A0000000032010", 2, None, "VISA ELECTRON"))
write("visa-gpo-6985-select-next",
      "PPSE lists Visa Credit (priority 1) and Visa Electron (priority 2); the first GPO answers 6985, so Entry Point drops that candidate and restarts at Start C with the same unpredictable number: SELECT Visa Electron, GPO, ARQC: Online Request." + " Commands: the spec minimum (PPSE, SELECT, GPO, SELECT, GPO).",
      SRC3, CFG(comb1, comb2), t, [[E(PPSE_CMD, p2), E(SEL, FCI), E(g, "6985"),
        E(select_cmd("A0000000032010"), fci("A0000000032010", VISA_PDOL, "VISA ELECTRON")), E(g, visa_card())]],
      {"outcome": "online_request", "cvm": "no_cvm", "tap_outcomes": ["online_request"],
       "data": {"84": "A0000000032010", "9F37": "11223344"},
       "tap_outcome_parameter_sets": [ops.final("online_request", "no_cvm")]},
      notes="Outcome Parameter Set (DF8129, C-2 Annex A encoding, model/outcome.py): Select Next (5020F0F000F0FF00, Start C) is consumed by Entry Point inside the tap (Book B 3.3.3); the tap ends with the second candidate's Online Request and nothing of the Select Next (no Start C) is left in it.")

# 9 PPSE error
t = tx()
write("ppse-6a82-end-application",
      "The card has no PPSE (6A82): the candidate list is empty, End Application with 'Insert, swipe or try another card' (Book B 3.3.2, 3.3.3). Commands: the spec minimum (PPSE only).",
      SRCB, CFG(visa_comb()), t, [[E(PPSE_CMD, "6A82")]],
      {"outcome": "end_application", "cvm": "n/a", "ui": ["present_card", "try_another_card"],
       "outcome_parameter_set": ops.end_with_message()},
      notes="Outcome Parameter Set (DF8129, C-2 Annex A encoding, model/outcome.py): End Application with only a UI Request on Outcome (Book B 3.3.3.3: no candidate).")
# 10 no matching AID
write("ppse-no-matching-aid-end-application",
      "PPSE lists only an American Express AID (kernel 4 by RID default) while the reader supports Visa only: no candidate, End Application (Book B 3.3.2.5). Commands: the spec minimum (PPSE only).",
      SRCB, CFG(visa_comb()), t, [[E(PPSE_CMD, ppse(("A00000002501", 1, None, "AMEX")))]],
      {"outcome": "end_application", "cvm": "n/a", "ui": ["try_another_card"]})
# 11 transaction limit
write("preprocessing-over-transaction-limit-try-another-interface",
      "EUR 150.00 is at or above the only combination's contactless transaction limit (100.00): every combination is not allowed, Try Another Interface with 'Insert or swipe' before any card is polled (Book B 3.1.1). No commands.",
      SRCB, CFG(visa_comb()), tx("150.00"), [],
      {"outcome": "try_another_interface", "cvm": "n/a", "ui": ["insert_or_swipe"], "tap_outcomes": [],
       "outcome_parameter_set": ops.try_another_interface(), "tap_outcome_parameter_sets": []},
      notes="Outcome Parameter Set (DF8129, C-2 Annex A encoding, model/outcome.py): Try Another Interface with a UI Request on Outcome ('Insert or swipe', Book B 3.1.1.13); no tap, so no per-tap set.")
write("preprocessing-at-transaction-limit-try-another-interface",
      "EUR 100.00 equals the contactless transaction limit (100.00); Book B refuses amounts at or above it: Try Another Interface, no card polled. No commands.",
      SRCB, CFG(visa_comb()), tx("100.00"), [],
      {"outcome": "try_another_interface", "ui": ["insert_or_swipe"]})
# 12 zero amount not allowed
write("preprocessing-zero-amount-not-allowed",
      "Amount 0.00 with Zero Amount Allowed off: the combination is not allowed, Try Another Interface before polling (Book B 3.1.1.3). No commands.",
      SRCB, CFG(visa_comb(zero_amount="not_allowed")), tx("0.00"), [],
      {"outcome": "try_another_interface", "ui": ["insert_or_swipe"]})
# 13 status check
comb = visa_comb(status_check=True, floor_limit="5.00")
ttq = simple("preprocessing-status-check-online",
       "Status check enabled and the amount is one currency unit (EUR 1.00, below the 5.00 floor limit): pre-processing sets TTQ b2.b8 (online cryptogram required), sent as 36804000 in the GPO; ARQC: Online Request (Book B 3.1.1.2)." + MIN.format(""),
       visa_card(), {"outcome": "online_request", "data": {"9F66": "36804000"}}, amount="1.00", comb=comb)
assert ttq == "36804000"
# 14 zero amount online
comb = visa_comb(floor_limit="5.00")
ttq = simple("preprocessing-zero-amount-online",
       "Amount 0.00 with zero amounts allowed (online): pre-processing sets TTQ b2.b8 (36804000); ARQC: Online Request (Book B 3.1.1.3)." + MIN.format(""),
       visa_card(), {"outcome": "online_request", "data": {"9F66": "36804000", "9F02": "000000000000"}}, amount="0.00", comb=comb)
assert ttq == "36804000"
# 15 one of two allowed
mc = {"aid": "A0000000041010", "kernel": 2, "transaction_limit": "10.00"}
t = tx(); comb = visa_comb()
g, ttq = visa_gpo(comb, t, "11223344")
write("preprocessing-mastercard-over-limit-visa-selected",
      "Two combinations: Mastercard with a 10.00 transaction limit (not allowed at EUR 12.34) and Visa. The PPSE lists Mastercard first with the higher priority, but a not-allowed combination yields no candidate, so Visa is selected: Online Request (Book B 3.1.1, 3.3.2.5)." + MIN.format(""),
      SRCB, CFG(mc, comb), t, [[E(PPSE_CMD, ppse(("A0000000041010", 1, None, "MASTERCARD"), ("A0000000031010", 2, None, "VISA"))),
                               E(SEL, FCI), E(g, visa_card())]],
      {"outcome": "online_request", "data": {"84": "A0000000031010"}})
# 16-18 TC without SDAD (ODA fails for want of data); the card is not expired (5F24 in the
# GPO response), so C-3 5.5.1.1 passes and the outcome turns on C-3 5.6 alone.
comb = visa_comb(floor_limit="20.00")
NOT_EXPIRED = tlv('5F24', '291231')
simple("visa-tc-without-sdad-declined",
       "Visa card returns a TC (9F27 40) below the 20.00 floor limit (TTQ 36004000), not expired (5F24 291231), but no Signed Dynamic Application Data, so fDDA cannot succeed; CTQ 0000 gives no fallback: Declined (C-3 5.6, 5.9.1.2)." + MIN.format(""),
       visa_card(cid='40', extra=NOT_EXPIRED), {"outcome": "declined", "tap_outcomes": ["declined"], "data": {"9F27": "40", "9F66": "36004000"}}, comb=comb)
simple("visa-tc-oda-failed-ctq-go-online",
       "Visa card returns a TC without SDAD (fDDA fails), not expired (5F24 291231), and CTQ 2000 (go online if ODA fails) on an online-capable reader: Online Request (C-3 5.6, 5.8.1.1)." + MIN.format(""),
       visa_card(cid='40', ctq='2000', extra=NOT_EXPIRED), {"outcome": "online_request", "cvm": "no_cvm"}, comb=comb)
simple("visa-tc-oda-failed-ctq-switch-interface",
       "Visa card returns a TC without SDAD (fDDA fails), not expired (5F24 291231), and CTQ 1000 (switch interface if ODA fails); the TTQ says the reader has a contact interface: Try Another Interface (C-3 5.6)." + MIN.format(""),
       visa_card(cid='40', ctq='1000', extra=NOT_EXPIRED), {"outcome": "try_another_interface"}, comb=comb)

# 19-22 L1 errors
t = tx(uns=("11223344", "55667788")); comb = visa_comb()
g1, ttq = visa_gpo(comb, t, "11223344"); g2, _ = visa_gpo(comb, t, "55667788")
write("card-removed-at-ppse-second-tap-online",
      "The card leaves the field at the PPSE SELECT: L1 error, Try Again at Start B with 'Present card again'; the second tap (next unpredictable number) completes online (Book B 3.2.1, 3.3.2). Commands: the spec minimum.",
      SRCB, CFG(comb), t, [[E(PPSE_CMD, error="card_removed")],
                          [E(PPSE_CMD, PPSE_VISA), E(SEL, FCI), E(g2, visa_card())]],
      {"outcome": "online_request", "tap_outcomes": ["try_again", "online_request"],
       "ui": ["present_card", "present_card_again", "card_read_ok"], "data": {"9F37": "55667788"}})
write("card-removed-at-final-select",
      "The card leaves the field at the final SELECT and does not come back: Try Again (Start B) is the final outcome. Commands: the spec minimum (PPSE, SELECT).",
      SRCB, CFG(comb), tx(), [[E(PPSE_CMD, PPSE_VISA), E(SEL, error="card_removed")]],
      {"outcome": "try_again", "cvm": "n/a", "ui": ["present_card", "present_card_again"],
       "outcome_parameter_set": ops.l1_error()},
      notes="Outcome Parameter Set (DF8129, C-2 Annex A encoding, model/outcome.py): an L1 error is Try Again at Start B with only a UI Request on Restart ('Present card again', Book B 3.2.1.3).")
write("visa-timeout-at-gpo-second-tap-online",
      "The card does not answer the GPO (timeout): Try Again at Start B; on the second tap the GPO (new unpredictable number) returns an ARQC: Online Request (C-3, Book B). Commands: the spec minimum.",
      SRC3, CFG(comb), t, [[E(PPSE_CMD, PPSE_VISA), E(SEL, FCI), E(g1, error="timeout")],
                          [E(PPSE_CMD, PPSE_VISA), E(SEL, FCI), E(g2, visa_card())]],
      {"outcome": "online_request", "tap_outcomes": ["try_again", "online_request"]})
card = visa_card(afl='18010100')
write("visa-card-removed-at-read-record",
      "The card leaves the field during READ RECORD SFI 3 record 1: Try Again, and no second tap comes. Commands: the spec minimum (PPSE, SELECT, GPO, READ RECORD).",
      SRC3, CFG(comb), tx(), [[E(PPSE_CMD, PPSE_VISA), E(SEL, FCI), E(visa_gpo(comb, tx(), "11223344")[0], card), E(rr_cmd(3, 1), error="card_removed")]],
      {"outcome": "try_again", "tap_outcomes": ["try_again"], "ui": ["present_card_again"]})

# 23-28 hostile responses
good = x(visa_card()[:-4])
simple("visa-gpo-malformed-tlv-end-application",
       "The GPO response template claims more bytes than it holds (9F26 length 08 with 4 bytes left): malformed data, End Application, never approved." + MIN.format(""),
       "770B82020000" + "9F2608A1B2C3D4" + "9000",
       {"outcome": "end_application"})
simple("visa-gpo-duplicate-tags-end-application",
       "The GPO response holds the ATC (9F36) twice: duplicate data objects end the application (C-3 5.4)." + MIN.format(""),
       visa_card(extra=tlv('9F36', '0043')), {"outcome": "end_application"})
simple("visa-afl-invalid-sfi-end-application",
       "The AFL names SFI 31 (F8010100), which no card may use: the AFL is rejected before any READ RECORD, End Application (Book 3 10.2)." + MIN.format(", and no READ RECORD"),
       visa_card(afl='F8010100'), {"outcome": "end_application"})
simple("visa-afl-record-not-found-end-application",
       "The AFL lists SFI 3 records 1-3 but record 1 answers 6A83 (record not found): End Application (C-3 5.3)." + MIN.format(", one READ RECORD"),
       visa_card(afl='18010300'), {"outcome": "end_application"}, rr=[E(rr_cmd(3, 1), "6A83")])
rec = h(tpl('70', tlv('5A', '4761739001010127'), tlv('5F24', '291231'))) + "9000"
simple("visa-pan-mismatch-end-application",
       "Track 2 (57) in the GPO response carries PAN 4761739001010119 but record SFI 3/1 sends 5A 4761739001010127: inconsistent card data, End Application (C-3 5.4)." + MIN.format(", one READ RECORD"),
       visa_card(afl='18010100'), {"outcome": "end_application"}, rr=[E(rr_cmd(3, 1), rec)])
simple("visa-missing-cryptogram-end-application",
       "The GPO response has no Application Cryptogram (9F26), which C-3 makes mandatory: End Application." + MIN.format(""),
       visa_card(omit=('9F26',)), {"outcome": "end_application",
       "outcome_parameter_set": ops.end_with_message()},
       notes="Outcome Parameter Set (DF8129, C-2 Annex A encoding, model/outcome.py): End Application for card data the kernel cannot use: only a UI Request on Outcome ('Insert, swipe or try another card', C-2 S910.50-S910.53 applied to Kernel 3), no data record.")

# 29-30 currencies
comb = visa_comb(transaction_limit="10000", floor_limit="0", cvm_required_limit="5000")
t = tx("1500", cur="392"); g, ttq = visa_gpo(comb, t, "11223344")
write("visa-jpy-exponent-0-online",
      "JPY (392, exponent 0): amount 1500 becomes 9F02 000000001500; limits 10000/0/5000 in yen; TTQ 36804000; ARQC: Online Request." + MIN.format(""),
      SRC3, CFG(comb), t, [[E(PPSE_CMD, PPSE_VISA), E(SEL, FCI), E(g, visa_card())]],
      {"outcome": "online_request", "cvm": "no_cvm", "data": {"9F02": "000000001500", "5F2A": "0392", "9F66": "36804000"}})
comb = visa_comb(transaction_limit="100.000", floor_limit="0.000", cvm_required_limit="10.000")
t = tx("12.345", cur="414"); g, ttq = visa_gpo(comb, t, "11223344")
write("visa-kwd-exponent-3-signature",
      "KWD (414, exponent 3): amount 12.345 becomes 9F02 000000012345 and is above the 10.000 CVM limit (TTQ 36C04000); CTQ 4000: Online Request with signature." + MIN.format(""),
      SRC3, CFG(comb), t, [[E(PPSE_CMD, PPSE_VISA), E(SEL, FCI), E(g, visa_card(ctq='4000'))]],
      {"outcome": "online_request", "cvm": "signature", "data": {"9F02": "000000012345", "5F2A": "0414", "9F66": "36C04000"}})

# 31 priority order
t = tx(); comb = visa_comb(); mc = {"aid": "A0000000041010", "kernel": 2}
g, _ = visa_gpo(comb, t, "11223344")
write("selection-priority-order",
      "PPSE lists Mastercard without priority (sorts last), then Visa with priority 1: the Visa candidate is selected first even though it comes second (Book B 3.3.2.6)." + MIN.format(""),
      SRCB, CFG(mc, comb), t, [[E(PPSE_CMD, ppse(("A0000000041010", None, None, "MASTERCARD"), ("A0000000031010", 1, None, "VISA"))),
                               E(SEL, FCI), E(g, visa_card())]],
      {"outcome": "online_request", "data": {"84": "A0000000031010"}})
print("visa vectors written")

# 32 malformed FCI → Select Next → no candidate
t = tx()
write("visa-malformed-fci-select-next-end-application",
      "The final SELECT answers 9000 with an FCI whose 84 claims more bytes than present: the kernel cannot parse it and returns Select Next; with no other candidate Entry Point ends the application (Book B 3.3.3, C-3). Commands: the spec minimum (PPSE, SELECT).",
      SRC3, CFG(visa_comb()), t, [[E(PPSE_CMD, PPSE_VISA), E(SEL, "6F0584070A00009000")]],
      {"outcome": "end_application", "cvm": "n/a"})

# 33 kernel ID mismatch
t = tx()
write("ppse-kernel-id-mismatch-end-application",
      "PPSE lists A0000000031010 with Kernel Identifier 9F2A 02 (asks for kernel 2) while the reader's only combination for that AID is kernel 3: the entry is no candidate (Book B 3.3.2.5 step C), End Application. Commands: the spec minimum (PPSE only).",
      SRCB, CFG(visa_comb()), t, [[E(PPSE_CMD, ppse(("A0000000031010", 1, "02", "VISA")))]],
      {"outcome": "end_application", "ui": ["try_another_card"]})

# 34-40 issue 9 point 5: Kernel 3 edges settled from C-3 and Book B.
# 34 TC when the TTQ demanded an online cryptogram
comb = visa_comb()
ttq = simple("visa-tc-ttq-online-required-online",
       "EUR 12.34 is above the 0.00 floor limit, so pre-processing sets TTQ b2.b8 (online cryptogram required, 36804000); the card still returns a TC (9F27 40), not expired: C-3 5.4.3.2 sets Online Required by Reader for a TC when the TTQ asked for an online cryptogram, so the TC goes online: Online Request, no CVM (C-3 5.8.1.1)." + MIN.format(""),
       visa_card(cid='40', extra=tlv('5F24', '291231')),
       {"outcome": "online_request", "cvm": "no_cvm", "tap_outcomes": ["online_request"],
        "ui": ["card_read_ok", "authorising"], "data": {"9F27": "40", "9F66": "36804000"}})
assert ttq == "36804000"

# 35 PDOL without the TTQ: not a qVSDC card; no Kernel 1 here, so the next candidate
t = tx(); comb1 = visa_comb(); comb2 = visa_comb(aid="A0000000032010")
g, ttq = visa_gpo(comb2, t, "11223344")
p2 = ppse(VISA, ("A0000000032010", 2, None, "VISA ELECTRON"))
NO_TTQ_PDOL = "9F02069F1A025F2A029A039F3704"
write("visa-pdol-without-ttq-select-next",
      "PPSE lists Visa Credit (priority 1) and Visa Electron (priority 2). Visa Credit's FCI has a PDOL without the TTQ (9F66): Book B 3.3.3.6 makes it a Kernel 1 card, not a qVSDC one; the reader has no Kernel 1, so the candidate is dropped (Select Next, Start C) without a GPO and Visa Electron, whose PDOL asks for the TTQ, is selected: ARQC, Online Request. Commands: the spec minimum (PPSE, SELECT, SELECT, GPO).",
      SRCB, CFG(comb1, comb2), t,
      [[E(PPSE_CMD, p2), E(SEL, fci("A0000000031010", NO_TTQ_PDOL)),
        E(select_cmd("A0000000032010"), fci("A0000000032010", VISA_PDOL, "VISA ELECTRON")), E(g, visa_card())]],
      {"outcome": "online_request", "tap_outcomes": ["online_request"], "data": {"84": "A0000000032010"}})

# 36 FCI without a PDOL at all: the same Book B rule
write("visa-fci-without-pdol-select-next",
      "PPSE lists Visa Credit (priority 1) and Visa Electron (priority 2). Visa Credit's FCI has no PDOL, so no TTQ can reach the card: Book B 3.3.3.6 makes it a Kernel 1 card; without Kernel 1 the candidate is dropped (Select Next, Start C) before any GPO and Visa Electron is selected: ARQC, Online Request. Commands: the spec minimum (PPSE, SELECT, SELECT, GPO).",
      SRCB, CFG(comb1, comb2), t,
      [[E(PPSE_CMD, p2), E(SEL, fci("A0000000031010")),
        E(select_cmd("A0000000032010"), fci("A0000000032010", VISA_PDOL, "VISA ELECTRON")), E(g, visa_card())]],
      {"outcome": "online_request", "tap_outcomes": ["online_request"], "data": {"84": "A0000000032010"}})

# 37 no 5F24 counts as expired
comb = visa_comb(floor_limit="20.00")
simple("visa-tc-without-expiry-date-ctq-online",
       "Visa card returns a TC below the 20.00 floor limit (TTQ 36004000) with no Application Expiration Date (5F24) anywhere, and CTQ 0800 (go online if application expired): C-3 5.5.1.1 treats a missing 5F24 as expired (5F24 is not among the mandatory data of 5.4.2.1), so the CTQ sends it online: Online Request; fDDA is not attempted: on the way online C-3 5.6 runs only when the TTQ asks for ODA on online authorisations (byte 1 b1), which 36004000 does not." + MIN.format(""),
       visa_card(cid='40', ctq='0800'),
       {"outcome": "online_request", "cvm": "no_cvm", "data": {"9F27": "40", "9F6C": "0800"}, "absent": ["5F24"]},
       comb=comb,
       notes="Without the expiry rule the TC would reach fDDA, fail it for want of SDAD, and with no ODA fallback in CTQ 0800 be declined; the online outcome shows the expiry rule applied first.")

# 38 AAC missing track 2: the cryptogram type comes before the mandatory data
simple("visa-aac-missing-track2-declined",
       "Visa card returns an AAC (9F27 00) and no Track 2 Equivalent Data (57): C-3 5.4.3.2 sets Decline Required by Reader from the cryptogram type, and the mandatory-data check of 5.4.2.1 applies only when not declining, so the outcome is Declined as the card decided, not End Application (C-3 5.9.1.2)." + MIN.format(""),
       visa_card(cid='00', omit=('57',)),
       {"outcome": "declined", "cvm": "n/a", "tap_outcomes": ["declined"], "data": {"9F27": "00"}, "absent": ["57"]})

# 39 reserved cryptogram type
simple("visa-cid-reserved-type-declined",
       "Visa card returns a CID of C0, the reserved cryptogram type 11: C-3 5.4.3.2 sets Decline Required by Reader for a type that is neither AAC, TC nor ARQC: Declined (C-3 5.9.1.2)." + MIN.format(""),
       visa_card(cid='C0'), {"outcome": "declined", "cvm": "n/a", "data": {"9F27": "C0"}})

# 40 online PIN asked at a reader without a PIN pad
comb = visa_comb(ttq="22004000")
ttq = simple("visa-ctq-online-pin-no-pin-pad-declined",
       "Reader without a PIN pad (TTQ 22004000: EMV mode and signature, no online PIN); EUR 60.00 at or above the CVM limit (TTQ 22C04000); the card returns an ARQC with CTQ C000 (online PIN required, signature required). C-3 5.7.1.2 gives online PIN only when the reader supports it and offers the signature only to a card that did not ask for online PIN; no CVM is chosen while the TTQ requires one, so 5.7.1.3 declines: Declined, not an online request with a signature." + MIN.format(""),
       visa_card(ctq='C000'), {"outcome": "declined", "cvm": "n/a", "tap_outcomes": ["declined"], "data": {"9F66": "22C04000", "9F6C": "C000"}},
       amount="60.00", comb=comb,
       notes="dcemv offers the signature only when the CTQ asks for neither online PIN nor CDCVM; Daniel Hu's Kernel 3 lets a CTQ C000 fall through to signature. We follow dcemv (see emv-kernel/src/kernel3/cardholder_verification.rs).")
assert ttq == "22C04000"
print("issue 9 visa vectors written")
