import os, sys; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen import *
import outcome as ops

MC_AID = "A0000000041010"
MC = (MC_AID, 1, None, "MASTERCARD")
SEL = select_cmd(MC_AID)
PDOL = "9F3501"
FCI = fci(MC_AID, PDOL, "MASTERCARD")
MC_PAN = "5413330089020011"
MC_T2 = MC_PAN + "D3012201000000000000"
CDOL1 = "9F02069F03069F1A0295055F2A029A039C019F37049F35019F3403"
def bcd6(v): return '%012d' % v
def mc_tags(cur='978', floor=0, tl=50_00, tl_od=1000_00, cvm=50_00, kc="A0", df8118="20", tac_online="F45084800C", df8131=None, df8117="E0", tacs=True):
    t = {"DF811B": kc, "DF8117": df8117, "DF8118": df8118, "DF8119": "08", "DF811F": "08",
         "DF8120": "F45084800C", "DF8121": "0000000000", "DF8122": tac_online,
         "DF8123": bcd6(floor), "DF8124": bcd6(tl), "DF8125": bcd6(tl_od), "DF8126": bcd6(cvm)}
    if not tacs:
        for k in ("DF8120", "DF8121", "DF8122"): del t[k]
    if df8131: t["DF8131"] = df8131
    return t
def mc_comb(**kw):
    c = {"aid": MC_AID, "kernel": 2, "transaction_limit": "500.00", "floor_limit": "0.00",
         "cvm_required_limit": "50.00"}
    c["tags"] = mc_tags(**kw); return c
MC_TERMINAL = {"9F1A": "0250", "9F35": "22", "9F09": "0002"}
def record(cvm_list="000000000000000042031E031F03", cur='0978', extra=b''):
    return h(tpl('70', tlv('57', MC_T2), tlv('5A', MC_PAN), tlv('5F24', '301231'), tlv('5F25', '200101'),
                 tlv('5F28', '0250'), tlv('5F34', '00'), tlv('8C', CDOL1), tlv('8D', '8A02'),
                 tlv('8E', cvm_list), tlv('9F07', 'FF00'), tlv('9F08', '0002'), tlv('9F0D', '0000000000'),
                 tlv('9F0E', '0000000000'), tlv('9F0F', '0000000000'), tlv('9F42', cur), extra)) + "9000"
def gpo_resp(aip, afl="10010100"): return h(tpl('77', tlv('82', aip), tlv('94', afl))) + "9000"
def genac_resp(cid, extra=b''):
    return h(tpl('77', tlv('9F27', cid), tlv('9F36', '0011'), tlv('9F26', '0102030405060708'),
                 tlv('9F10', '0110A00003220000000000000000000000FF') + extra)) + "9000"
TYPE_9C = {"purchase": "00", "cash": "01", "cashback": "09", "refund": "20"}
def genac_cmd(p1, t, un, tvr, cvmr, caps_terminal=MC_TERMINAL):
    y, m, d = t['date'].split('-')
    vals = {'9F02': n12(minor(t['amount'], t['currency'])), '9F03': n12(0), '9F1A': caps_terminal['9F1A'],
            '95': tvr, '5F2A': '0' + t['currency'], '9A': y[2:] + m + d, '9C': TYPE_9C[t['type']], '9F37': un,
            '9F35': caps_terminal['9F35'], '9F34': cvmr}
    data = dol_build(CDOL1, vals)
    return h(bytes([0x80, 0xAE, p1, 0, len(data)]) + data + b'\x00')
GPO = gpo_cmd(dol_build(PDOL, {'9F35': '22'}))
RR = rr_cmd(2, 1)
CFG = lambda *combs: {"terminal": MC_TERMINAL, "combinations": list(combs)}
MIN = " Commands: the spec minimum for this path (PPSE, SELECT, GPO, READ RECORD SFI 2/1{})."
def mc_tap(t, un, gen_p1, tvr, cvmr, gen_r, aip="1880", comb_ppse=None, rrs=None, gpo_r=None, terminal=MC_TERMINAL):
    gpo = gpo_cmd(dol_build(PDOL, {'9F35': terminal['9F35']}))
    ex = [E(PPSE_CMD, comb_ppse or ppse(MC)), E(SEL, FCI), E(gpo, gpo_r or gpo_resp(aip))]
    ex += rrs if rrs is not None else [E(RR, record())]
    gac = genac_cmd(gen_p1, t, un, tvr, cvmr, terminal)
    ex.append(E(gac, gen_r) if isinstance(gen_r, str) else E(gac, error=gen_r[0]))
    return ex

# M1: online ARQC, no CDA. TVR: ODA not performed (AIP without CDA), floor limit 0 exceeded,
# RRP not performed. CVM: 12.34 < 50.00 → 9F33 byte 2 = DF8119 08 → 1F03 → 1F0302.
t = tx(); comb = mc_comb()
write("mc-mchip-online-arqc-no-cda",
      "Mastercard card, AIP 1880 (no CDA): TVR 8000008001 (ODA not performed, floor limit 0.00 exceeded, RRP not performed); EUR 12.34 below the DF8126 CVM limit so 9F33 = E00808 and the CVM list gives No CVM (1F0302); TAC online F45084800C hits: GENERATE AC P1 80 (ARQC, no CDA), ARQC: Online Request (C-2)." + MIN.format(", GENERATE AC"),
      SRC2, CFG(comb), t, [mc_tap(t, "11223344", 0x80, "8000008001", "1F0302", genac_resp('80'))],
      {"outcome": "online_request", "cvm": "no_cvm", "tap_outcomes": ["online_request"],
       "ui": ["present_card", "card_read_ok"],
       "data": {"95": "8000008001", "9F34": "1F0302", "9F33": "E00808", "9F27": "80", "9F26": "0102030405060708",
                "9F36": "0011", "82": "1880", "5A": MC_PAN, "57": MC_T2, "9F02": "000000001234", "5F2A": "0978",
                "9C": "00", "9F37": "11223344", "84": MC_AID}})
# M3: offline TC approved with signature
t = tx("60.00"); comb = mc_comb(floor=100_00, tl=200_00, tac_online="0000008000"); comb["floor_limit"] = "100.00"
write("mc-mchip-offline-tc-signature-approved",
      "Mastercard card without CDA at EUR 60.00: below the 100.00 floor limit (DF8123), above the 50.00 CVM limit (9F33 byte 2 = DF8118 20, signature); CVM list 42031E031F03 skips online PIN (condition 03, not supported) and selects signature (1E0300). TVR 8000000001; TAC online 0000008000 and the IACs do not hit, so the terminal asks for a TC (P1 40) and the card approves offline: Approved with signature (C-2, Book 3 10.5/10.7)." + MIN.format(", GENERATE AC"),
      SRC2, CFG(comb), t, [mc_tap(t, "11223344", 0x40, "8000000001", "1E0300", genac_resp('40'))],
      {"outcome": "approved", "cvm": "signature", "ui": ["card_read_ok", "approved_sign"],
       "data": {"95": "8000000001", "9F34": "1E0300", "9F33": "E02008", "9F27": "40"},
       "outcome_parameter_set": ops.final("approved", "signature")},
      notes="Outcome Parameter Set (DF8129, C-2 Annex A encoding, model/outcome.py): Approved with Obtain Signature: UI Request on Outcome ('Approved, please sign', Not Ready, Message Hold Time), data record, receipt (C-2 S910.74-S910.75).")
# M4: online PIN
t = tx("60.00"); comb = mc_comb(df8118="40", tl=100_00)
write("mc-mchip-online-pin",
      "Mastercard card at EUR 60.00 above the CVM limit with DF8118 40 (online PIN only): the first CVM rule 4203 applies, CVM Results 420300 and TVR 'online PIN entered'; TVR 8000048001, ARQC requested and returned: Online Request with Online PIN." + MIN.format(", GENERATE AC"),
      SRC2, CFG(comb), t, [mc_tap(t, "11223344", 0x80, "8000048001", "420300", genac_resp('80'))],
      {"outcome": "online_request", "cvm": "online_pin", "data": {"95": "8000048001", "9F34": "420300"}})
# M5: phone with on-device CVM but no CDA: C-2 GAC.22/GAC.23 ask for an AAC (deviation 2).
t = tx("60.00"); comb = mc_comb(df8117="00")
write("mc-phone-odcvm-no-cda-aac-requested",
      "Mastercard phone: AIP 1A80 (on-device CVM, no CDA) and DF811B A0 (OD-CVM supported) at EUR 60.00: the OD-CVM limit DF8125 1000.00 applies (C-2 S3.35); above DF8126 the CVM is Confirmation Code Verified, CVM Results 010002 (C-2 CVM.4). Terminal action analysis asks for an ARQC, but ODA Status is not CDA on an on-device-CVM card, so C-2 GAC.22/GAC.23 set the AC type to AAC: GENERATE AC P1 00 without CDA. The card's AAC for a purchase on a reader without contact slot (DF8117 00) is Declined (C-2 S910.74)." + MIN.format(", GENERATE AC"),
      SRC2, CFG(comb), t, [mc_tap(t, "11223344", 0x00, "8000008001", "010002", genac_resp('00'), aip="1A80")],
      {"outcome": "declined", "cvm": "n/a", "ui": ["card_read_ok", "not_authorised"],
       "data": {"9F34": "010002", "82": "1A80", "9F27": "00", "95": "8000008001"}})
# CDA failed before GENERATE AC on an on-device-CVM card (deviation 2): AIP 1B80 asks for
# CDA, 9F4A = 82 is there but the certificates and the CA key index are not.
t = tx("12.34"); comb = mc_comb(df8117="00")
write("mc-phone-cda-failed-before-gac-aac-requested",
      "Mastercard phone: AIP 1B80 (on-device CVM and CDA), DF811F 08 (terminal CDA), so ODA Status is CDA (C-2 S3R1.19); the record has the SDA Tag List 82 but no 8F, 90, 9F32, 9F46, 9F47, so C-2 S456.25 sets 'ICC data missing' and 'CDA failed' (TVR 2400008001 with floor limit 0.00 exceeded and RRP not performed). CVM below DF8126: No CVM, 3F0002 (C-2 CVM.3). TAC online F45084800C hits, but CDA failed on an on-device-CVM card, so C-2 GAC.22/GAC.23 ask for an AAC without CDA (P1 00); the AAC is Declined (C-2 S910.74, no contact slot)." + MIN.format(", GENERATE AC"),
      SRC2, CFG(comb), t, [mc_tap(t, "11223344", 0x00, "2400008001", "3F0002", genac_resp('00'), aip="1B80",
                                  rrs=[E(RR, record(extra=tlv('9F4A', '82')))])],
      {"outcome": "declined", "cvm": "n/a", "data": {"95": "2400008001", "9F34": "3F0002", "9F27": "00"}})
# M6: over DF8124 → Select Next → no candidates
t = tx("60.00"); comb = mc_comb()
write("mc-card-over-df8124-limit-select-next",
      "Mastercard card without on-device CVM at EUR 60.00, above its Reader Contactless Transaction Limit DF8124 (50.00): Kernel 2 returns Select Next after reading the records; no other candidate: End Application. Commands: the spec minimum (PPSE, SELECT, GPO, READ RECORD SFI 2/1), no GENERATE AC.",
      SRC2, CFG(comb), t, [[E(PPSE_CMD, ppse(MC)), E(SEL, FCI), E(GPO, gpo_resp("1880")), E(RR, record())]],
      {"outcome": "end_application", "cvm": "n/a", "outcome_parameter_set": ops.end_with_message()},
      notes="Outcome Parameter Set (DF8129, C-2 Annex A encoding, model/outcome.py): Kernel 2's Select Next is consumed by Entry Point (Book B 3.3.3); with no candidate left the tap ends in End Application with only a UI Request on Outcome (Book B 3.3.3.3).")
# M7: See Phone two taps. The kernel does not support on-device CVM (DF811B 80), so the
# ARQC is asked for (no GAC.22) and the CVM list gives No CVM.
t = tx("12.34", uns=("11223344", "55667788")); comb = mc_comb(kc="80")
aac = genac_resp('00', tlv('DF4B', '000100'))
write("mc-phone-see-phone-two-taps",
      "Mastercard phone (AIP 1A80) on a kernel without on-device CVM support (DF811B 80): EUR 12.34 below DF8124 and DF8126, the CVM list gives No CVM (1F0302) and the terminal asks for an ARQC. The first GENERATE AC answer is an AAC with DF4B 000100: C-2 S910.71/S910.72 make it End Application with a restart at Start B, and the default phone message table (S910.73) gives See Phone. The second tap (new unpredictable number) returns an ARQC: Online Request (C-2 S910.74). Commands: the spec minimum on each tap.",
      SRC2, CFG(comb), t, [mc_tap(t, "11223344", 0x80, "8000008001", "1F0302", aac, aip="1A80"),
                          mc_tap(t, "55667788", 0x80, "8000008001", "1F0302", genac_resp('80'), aip="1A80")],
      {"outcome": "online_request", "cvm": "no_cvm", "tap_outcomes": ["end_application", "online_request"],
       "ui": ["present_card", "see_phone", "present_card", "card_read_ok"], "data": {"9F37": "55667788"}})
# M8: AAC handling, C-2 S910.74/S910.75 (deviation 4).
t = tx(); comb = mc_comb(df8117="00")
write("mc-card-aac-declined",
      "Mastercard card answers the ARQC request with an AAC and no DF4B, for a purchase on a reader without contact slot (DF8117 00, 9F33 byte 1 b6 clear): Declined with Not Authorised (C-2 S910.74, S910.75)." + MIN.format(", GENERATE AC"),
      SRC2, CFG(comb), t, [mc_tap(t, "11223344", 0x80, "8000008001", "1F0302", genac_resp('00'))],
      {"outcome": "declined", "cvm": "n/a", "data": {"9F27": "00"}, "ui": ["not_authorised"],
       "outcome_parameter_set": ops.final("declined")},
      notes="Outcome Parameter Set (DF8129, C-2 Annex A encoding, model/outcome.py): Declined with a UI Request on Outcome ('Not authorised', Not Ready, Message Hold Time) and the data record (C-2 S910.74-S910.75); the CVM is N/A on a decline as tapterm reads Book A 6.2 (a C-2 kernel may leave the CVM selected before GENERATE AC, here No CVM: 00).")
t = tx(); comb = mc_comb(df8117="E0")
write("mc-card-aac-contact-reader-try-another-interface",
      "Mastercard card answers the ARQC request with an AAC for a purchase on a reader that declares IC with contacts (DF8117 E0, 9F33 byte 1 b6) and no Third Party Data: Try Another Interface with Insert Card (C-2 S910.74, S910.75); the outcome keeps the data record (S910.81)." + MIN.format(", GENERATE AC"),
      SRC2, CFG(comb), t, [mc_tap(t, "11223344", 0x80, "8000008001", "1F0302", genac_resp('00'))],
      {"outcome": "try_another_interface", "cvm": "n/a", "ui": ["card_read_ok", "insert_card"], "data": {"9F27": "00"}})
t = tx(); comb = mc_comb(df8117="E0")
write("mc-phone-aac-contact-reader-third-party-data-declined",
      "A Mastercard device whose Third Party Data (9F6E 0250 0000 3031: Unique Identifier byte 1 b8 = 0, Device Type '01', not a card) answers the ARQC request with an AAC for a purchase on a reader with a contact slot (DF8117 E0): it cannot be inserted, so the AAC is Declined with Not Authorised rather than sent to another interface (C-2 S910.74, S910.75)." + MIN.format(", GENERATE AC"),
      SRC2, CFG(comb), t, [mc_tap(t, "11223344", 0x80, "8000008001", "1F0302", genac_resp('00', tlv('9F6E', '025000003031')))],
      {"outcome": "declined", "cvm": "n/a", "ui": ["not_authorised"], "data": {"9F27": "00", "9F6E": "025000003031"}},
      notes="The Third Party Data clause of S910.74 is read from one public C-2 implementation (emv-hu contactless_k2.h prepare_outcome_on_cid); see /work/wt/RULES.md point 4.")
t = tx(); t["type"] = "refund"; comb = mc_comb(df8117="00")
write("mc-card-aac-refund-end-application",
      "Mastercard card answers the ARQC request of a refund (9C 20) with an AAC: a transaction type other than purchase or cash ends the application (C-2 S910.74), with the data record (S910.70, S910.81) and no approval or decline." + MIN.format(", GENERATE AC"),
      SRC2, CFG(comb), t, [mc_tap(t, "11223344", 0x80, "8000008001", "1F0302", genac_resp('00'))],
      {"outcome": "end_application", "cvm": "n/a", "tap_outcomes": ["end_application"],
       "data": {"9F27": "00", "9C": "20", "95": "8000008001"}})
t = tx(uns=("11223344", "55667788")); comb = mc_comb(df8117="00")
arqc_df4b = genac_resp('80', tlv('DF4B', '000200'))
write("mc-phone-arqc-df4b-see-phone-two-taps",
      "Mastercard phone answers the ARQC request with an ARQC and DF4B 000200 (byte 2 b2, inside the S910.71 mask 00030F): C-2 S910.71 applies DF4B to every cryptogram type, so the ARQC is not sent online; End Application with a restart at Start B and See Phone from the phone message table (S910.72, S910.73), with the data record. The second tap's ARQC without DF4B: Online Request." + MIN.format(", GENERATE AC") + " on each tap.",
      SRC2, CFG(comb), t, [mc_tap(t, "11223344", 0x80, "8000008001", "1F0302", arqc_df4b),
                          mc_tap(t, "55667788", 0x80, "8000008001", "1F0302", genac_resp('80'))],
      {"outcome": "online_request", "tap_outcomes": ["end_application", "online_request"],
       "ui": ["see_phone", "present_card", "card_read_ok", "authorising"], "data": {"9F37": "55667788"}})
# Deviation 1: no DF8120-DF8122 configured: C-2 Annex A defaults 840000000C each.
t = tx(); comb = mc_comb(floor=100_00, tl=200_00, tacs=False, df8117="00"); comb["floor_limit"] = "100.00"
write("mc-tac-absent-defaults-denial-declined",
      "Mastercard card without CDA (AIP 1880) and all-zero IACs, EUR 12.34 below the 100.00 floor limit: TVR 8000000001 (ODA not performed, RRP not performed). The combination configures no TACs, so DF8120-DF8122 take C-2's Annex A default 840000000C (not zeros, which would ask for a TC): TAC denial byte 1 b8 hits 'ODA not performed' and terminal action analysis asks for an AAC (C-2 Annex A DF8121, C-2 7.8 TAA.2-TAA.3; P1 00). The AAC for a purchase without contact slot is Declined (C-2 S910.74): a card with zero IACs and no ODA is never approved offline." + MIN.format(", GENERATE AC"),
      SRC2, CFG(comb), t, [mc_tap(t, "11223344", 0x00, "8000000001", "1F0302", genac_resp('00'))],
      {"outcome": "declined", "cvm": "n/a", "data": {"95": "8000000001", "9F27": "00"}})

# --- Relay resistance (C-2 S3.60-S3.65, state R1 SR1.x) -------------------------------
# An independent model of the rules written at the top of emv-kernel/src/relay_resistance.rs.
# Times are in units of 100 us; `us` is the reader's measured time for one exchange.
RRP_TERMINAL = {"DF8132": "0014", "DF8133": "0032", "DF8134": "0012", "DF8135": "0018",
                "DF8136": "012C", "DF8137": "32"}
def errd_cmd(entropy):  # C-2 S3.62: 80 EA 00 00 04 <Terminal Relay Resistance Entropy> 00
    return h(bytes([0x80, 0xEA, 0, 0, 4]) + x(entropy) + b'\x00')
def errd_resp(device_entropy, mn, mx, est):  # SR1.14: template 80, DF8302-DF8305
    return h(tlv('80', device_entropy + '%04X%04X%04X' % (mn, mx, est))) + "9000"
def rrp_model(term, answers):
    """SR1.18-SR1.32 over the exchanges actually made: answers = [(us, min, max, est)].
    Returns ('end', None) or ('performed', TVR byte 5); asserts the retry count is SR1.22's."""
    g = lambda tag: int(term[tag], 16)
    for i, (us, mn, mx, est) in enumerate(answers):
        measured = max(0, us // 100 - g("DF8134") - min(est, g("DF8135")))      # SR1.18
        if measured < max(0, mn - g("DF8132")):                                 # SR1.19
            assert i == len(answers) - 1; return ('end', None)
        slow = measured > mx + g("DF8133")                                      # SR1.22/28
        if slow and i < 2:
            assert i < len(answers) - 1, "SR1.22 asks for another exchange"; continue
        assert i == len(answers) - 1, "no exchange after the judged one"
        b5 = 0x02                                                               # SR1.32
        if slow: b5 |= 0x04                                                     # SR1.29
        term_r = g("DF8135"); thr = g("DF8137")
        if (est == 0 or term_r == 0 or est / term_r * 100 < thr or term_r / est * 100 < thr
                or max(0, measured - mn) > g("DF8136")):                       # SR1.30-31
            b5 |= 0x08
        return ('performed', b5)
RRP_AIP = "1881"  # byte 2 b1: relay resistance protocol supported (S3.60)
RRP_KC = "B0"     # DF811B: M/Chip only, on-device CVM, b5 relay resistance supported
DEV_E = ("D1D2D3D4", "D5D6D7D8", "D9DADBDC")
def rrp_tap(t, tap_un, entropies, answers, gen_p1, tvr, cvmr, gen_r, aip=RRP_AIP, end=False):
    """One tap: PPSE, SELECT, GPO, then ERRD per answer (new entropy each), READ RECORD, GAC.
    9F37 in CDOL1 is the last entropy (S3.61/SR1.23 make the new UN the transaction's)."""
    ex = [E(PPSE_CMD, ppse(MC), us=2100), E(SEL, FCI, us=1900), E(GPO, gpo_resp(aip), us=2500)]
    for ent, dev, (us, mn, mx, est) in zip(entropies, DEV_E, answers):
        ex.append(E(errd_cmd(ent), errd_resp(dev, mn, mx, est), us=us))
    if end: return ex
    un = entropies[len(answers) - 1] if answers else tap_un
    ex.append(E(RR, record(), us=3000))
    ex.append(E(genac_cmd(gen_p1, t, un, tvr, cvmr), gen_r, us=12000))
    return ex
def rrp_comb(kc=RRP_KC, **kw):
    # A contactless-only reader (DF8117 00), so an AAC is Declined (C-2 S910.74).
    c = mc_comb(kc=kc, df8117="00", **kw); c["tags"].update(RRP_TERMINAL); return c
def tvr5(answers, term=RRP_TERMINAL):
    kind, b5 = rrp_model(term, answers); assert kind == 'performed'; return '%02X' % b5
RRPCITE = " Relay resistance per C-2 S3.60-S3.64 and SR1.18-SR1.32 (rules in emv-kernel/src/relay_resistance.rs); DF8132-DF8137 = 0014 0032 0012 0018 012C 32."
ENTS = ("A1A2A3A4", "B1B2B3B4", "C1C2C3C4")
PHONE = (10, 30, 20)  # the card's DF8303 1.0 ms, DF8304 3.0 ms, DF8305 2.0 ms

# R1: performed within limits, online. 6000 us: 60 - 18 - min(20, 24) = 22, in [0, 80].
t = tx(uns=("11223344",) + ENTS[:1]); comb = rrp_comb()
ans = [(6000,) + PHONE]; b5 = tvr5(ans); assert b5 == "02"
write("mc-rrp-performed-online",
      "Mastercard card with AIP 1881 and DF811B B0: after GPO the kernel takes a new unpredictable number A1A2A3A4 as Terminal Relay Resistance Entropy and sends EXCHANGE RELAY RESISTANCE DATA (S3.60-S3.64); measured 6000 us gives a processing time of 60 - 18 - MIN(20, 24) = 22 (SR1.18), inside MAX(0, 10 - 20) .. 30 + 50 (SR1.19, SR1.22); the transmission times agree within 50 % and 22 - 10 <= 300 (SR1.30): TVR byte 5 = 02 'RRP performed' (SR1.32), TVR 8000008002; CDOL1 carries 9F37 = the entropy; TAC online byte 1 hits: ARQC, Online Request." + RRPCITE,
      SRC2, CFG(comb), t, [rrp_tap(t, "11223344", ENTS, ans, 0x80, "80000080" + b5, "1F0302", genac_resp('80'))],
      {"outcome": "online_request", "cvm": "no_cvm", "tap_outcomes": ["online_request"],
       "data": {"95": "80000080" + b5, "9F37": "A1A2A3A4", "82": RRP_AIP}})
# R2: performed within limits, offline approved (floor 100.00, online TAC not hit).
t = tx(uns=("11223344",) + ENTS[:1]); comb = rrp_comb(floor=100_00, tl=200_00, tac_online="0000008000"); comb["floor_limit"] = "100.00"
write("mc-rrp-performed-approved",
      "As mc-rrp-performed-online (measured 22 x 100 us, TVR byte 5 02 'RRP performed', SR1.32) but below the 100.00 floor limit with TAC online 0000008000 and zero IACs: TVR 8000000002 does not hit, TC requested (P1 40) and returned: Approved." + RRPCITE,
      SRC2, CFG(comb), t, [rrp_tap(t, "11223344", ENTS, [(6000,) + PHONE], 0x40, "8000000002", "1F0302", genac_resp('40'))],
      {"outcome": "approved", "data": {"95": "8000000002", "9F27": "40", "9F37": "A1A2A3A4"}})
# R3: too slow three times: two retries (SR1.22), then time limits exceeded; TAC denial hits.
t = tx(uns=("11223344",) + ENTS); comb = rrp_comb(); comb["tags"]["DF8121"] = "0000000004"
ans = [(20000,) + PHONE] * 3; b5 = tvr5(ans); assert b5 == "06"
write("mc-rrp-time-limits-exceeded-declined",
      "Every EXCHANGE RELAY RESISTANCE DATA takes 20000 us: 200 - 18 - 20 = 162 > 30 + 50, so the kernel retries twice with new entropy B1B2B3B4, C1C2C3C4 (SR1.22-SR1.27, RRP Counter < 2); after the third it sets 'relay resistance time limits exceeded' and 'RRP performed' (SR1.29, SR1.32): TVR byte 5 06, TVR 8000008006. TAC denial DF8121 0000000004 matches byte 5 b3, so the kernel asks for an AAC (P1 00, Book 3 10.7) with 9F37 = C1C2C3C4, and the AAC is Declined." + RRPCITE,
      SRC2, CFG(comb), t, [rrp_tap(t, "11223344", ENTS, ans, 0x00, "80000080" + b5, "1F0302", genac_resp('00'))],
      {"outcome": "declined", "data": {"95": "80000080" + b5, "9F37": "C1C2C3C4"}})
# R4: retry then success.
t = tx(uns=("11223344",) + ENTS[:2]); comb = rrp_comb()
ans = [(20000,) + PHONE, (6000,) + PHONE]; b5 = tvr5(ans); assert b5 == "02"
write("mc-rrp-retry-then-performed-online",
      "The first EXCHANGE RELAY RESISTANCE DATA takes 20000 us (162 > 80: retry with new entropy B1B2B3B4, SR1.22-SR1.27), the second 6000 us (22, within): TVR byte 5 02 'RRP performed' without 'time limits exceeded' (SR1.28, SR1.32); CDOL1 carries the second entropy as 9F37; ARQC: Online Request." + RRPCITE,
      SRC2, CFG(comb), t, [rrp_tap(t, "11223344", ENTS, ans, 0x80, "80000080" + b5, "1F0302", genac_resp('80'))],
      {"outcome": "online_request", "data": {"95": "80000080" + b5, "9F37": "B1B2B3B4"}})
# R5: transmission time mismatch: the card estimates 1.0 ms against the terminal's 2.4 ms.
t = tx(uns=("11223344",) + ENTS[:1]); comb = rrp_comb()
ans = [(6000, 10, 30, 10)]; b5 = tvr5(ans); assert b5 == "0A"
write("mc-rrp-threshold-exceeded-online",
      "The card's Device Estimated Transmission Time For Relay Resistance R-APDU is 10 against the terminal's 24: 10 / 24 x 100 = 41.7 < 50 (DF8137), so 'relay resistance threshold exceeded' (SR1.30-SR1.31) with 'RRP performed' (SR1.32): TVR byte 5 0A (measured 60 - 18 - MIN(10, 24) = 32, within the limits); ARQC: Online Request." + RRPCITE,
      SRC2, CFG(comb), t, [rrp_tap(t, "11223344", ENTS, ans, 0x80, "80000080" + b5, "1F0302", genac_resp('80'))],
      {"outcome": "online_request", "data": {"95": "80000080" + b5}})
# R6: faster than the card's own minimum: End Application (SR1.19-SR1.21).
t = tx(uns=("11223344",) + ENTS[:1]); comb = rrp_comb()
ans = [(6000, 100, 200, 20)]; assert rrp_model(RRP_TERMINAL, ans) == ('end', None)
write("mc-rrp-too-fast-end-application",
      "The card claims Min Time For Processing Relay Resistance APDU 100 (10 ms) but answers in 6000 us: 22 < MAX(0, 100 - 20), which no honest card can do: End Application, L2 CARD DATA ERROR (SR1.19-SR1.21); no READ RECORD follows." + RRPCITE,
      SRC2, CFG(comb), t, [rrp_tap(t, "11223344", ENTS, ans, 0, "", "", "", end=True)],
      {"outcome": "end_application", "cvm": "n/a", "ui": ["try_another_card"]})
# R7: the card does not support RRP (AIP byte 2 b1 = 0): no 80EA, TVR byte 5 01 (S3.65).
t = tx(uns=("11223344",)); comb = rrp_comb()
write("mc-rrp-card-not-supported",
      "DF811B B0 supports relay resistance but the card's AIP 1880 does not (byte 2 b1 = 0): no EXCHANGE RELAY RESISTANCE DATA, TVR byte 5 01 'RRP not performed' (S3.60, S3.65), TVR 8000008001; the tap's own unpredictable number stays 9F37; ARQC: Online Request." + RRPCITE,
      SRC2, CFG(comb), t, [rrp_tap(t, "11223344", ENTS, [], 0x80, "8000008001", "1F0302", genac_resp('80'), aip="1880")],
      {"outcome": "online_request", "data": {"95": "8000008001", "9F37": "11223344"}})
# R8: the terminal does not support RRP (DF811B without b5).
t = tx(uns=("11223344",)); comb = rrp_comb(kc="A0")
write("mc-rrp-terminal-not-supported",
      "The card's AIP 1881 supports relay resistance but DF811B A0 does not (b5 = 0): no EXCHANGE RELAY RESISTANCE DATA, TVR byte 5 01 'RRP not performed' (S3.60, S3.65), TVR 8000008001; ARQC: Online Request." + RRPCITE,
      SRC2, CFG(comb), t, [rrp_tap(t, "11223344", ENTS, [], 0x80, "8000008001", "1F0302", genac_resp('80'))],
      {"outcome": "online_request", "data": {"95": "8000008001", "9F37": "11223344", "82": RRP_AIP}})
print("mc rrp vectors written")
