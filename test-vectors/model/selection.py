"""Entry Point final selection vectors (Book B 3.3.3.3, Extended Selection)."""
import os, sys; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen import *
import outcome as ops

AID = "A0000000031010"
EXT = "0102"
PPSE_EXT = ppse((AID, 1, None, "VISA CREDIT", EXT))
t = tx()

def ext_vector(name, desc, supported):
    comb = visa_comb()
    if not supported: comb["extended_selection"] = False
    # Book B 3.3.3.3: ADF Name || Extended Selection when the flag is set and 9F29 present.
    name_sent = AID + EXT if supported else AID
    g, _ = visa_gpo(comb, t, "11223344")
    write(name, desc, SRCB, {"terminal": TERMINAL, "combinations": [comb]}, t,
          [[E(PPSE_CMD, PPSE_EXT), E(select_cmd(name_sent), fci(name_sent, VISA_PDOL)),
            E(g, visa_card())]],
          {"outcome": "online_request", "tap_outcomes": ["online_request"],
           "data": {"84": name_sent},
           "outcome_parameter_set": ops.final("online_request", "no_cvm")})

ext_vector("selection-extended-selection-appended",
           "The PPSE directory entry for A0000000031010 carries Extended Selection 9F29 0102 and the combination's Extended Selection Support flag is set (the default): the final SELECT names A0000000031010 followed by 0102 (Book B 3.3.3.3); the card answers with that DF name and an ARQC: Online Request. Commands: the spec minimum (PPSE, final SELECT, GPO).",
           True)
ext_vector("selection-extended-selection-not-supported",
           "The same PPSE entry with Extended Selection 9F29 0102, but the combination's Extended Selection Support flag is 0: the final SELECT names the ADF Name A0000000031010 alone (Book B 3.3.3.3); ARQC: Online Request. Commands: the spec minimum (PPSE, final SELECT, GPO).",
           False)
print("selection vectors written")
