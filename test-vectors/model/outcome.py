"""Independent model of the Outcome Parameter Set (DF8129) for synthetic vectors.

The encoding is C-2 Annex A (Outcome Parameter Set): byte 1 Status, 2 Start, 3 Online
Response Data, 4 CVM (each in the high half-byte, F = N/A), 5 the presence flags (b8 UI
Request on Outcome, b7 UI Request on Restart, b6 Data Record, b5 Discretionary Data, b4
Receipt), 6 Alternate Interface Preference (codes of C-8 Annex A; C-2 has only N/A),
7 Field Off Request (hold time in 100 ms, FF = N/A), 8 Removal Timeout (100 ms). A kernel
starts from every field N/A and no flag set (C-2 S1.7).

The outcome helpers below give the parameters each rule sets; a vector's expectation is
one of them, chosen by the rule its description cites. tapterm hands no Discretionary
Data to the terminal (it builds none), so that flag is never set here."""

STATUS = {"approved": 0x1, "declined": 0x2, "online_request": 0x3, "end_application": 0x4,
          "select_next": 0x5, "try_another_interface": 0x6, "try_again": 0x7}
START = {None: 0xF, "A": 0x0, "B": 0x1, "C": 0x2, "D": 0x3}
CVM = {None: 0xF, "no_cvm": 0x0, "signature": 0x1, "online_pin": 0x2, "cdcvm": 0x3}
ALTERNATE = {None: 0xF, "contact_chip": 0x1, "magstripe": 0x2}


def ops(status, start=None, cvm=None, ui_outcome=False, ui_restart=False, record=False,
        receipt=False, alternate=None, field_off_ms=None, removal_ms=0):
    """The 8 bytes, upper-case hex, of one outcome's parameters."""
    flags = ((0x80 if ui_outcome else 0) | (0x40 if ui_restart else 0)
             | (0x20 if record else 0) | (0x08 if receipt else 0))
    field_off = 0xFF if field_off_ms is None else min(field_off_ms // 100, 0xFE)
    b = bytes([STATUS[status] << 4, START[start] << 4, 0xF0, CVM[cvm] << 4, flags,
               ALTERNATE[alternate] << 4, field_off, min(removal_ms // 100, 0xFF)])
    return b.hex().upper()


def final(status, cvm=None):
    """A kernel's Approved, Declined or Online Request (C-2 S910.74-S910.75, Book A 6.2):
    a UI Request on Outcome, the data record, the CVM (N/A on a decline) and a receipt
    when the CVM is a signature."""
    cvm = None if status == "declined" else cvm
    return ops(status, cvm=cvm, ui_outcome=True, record=True, receipt=cvm == "signature")


def end_with_message():
    """End Application with a message and nothing else: card data the kernel cannot use
    (C-2 S910.50-S910.53), or no candidate left (Book B 3.3.3.3)."""
    return ops("end_application", ui_outcome=True)


def try_another_interface():
    """Try Another Interface with a message: nothing allowed contactless (Book B 3.1.1.13)
    or the card refuses the interface (C-3 GPO 6984); Alternate Interface Preference N/A."""
    return ops("try_another_interface", ui_outcome=True)


def l1_error():
    """A communication error: Try Again at Start B, "Present card again" on restart
    (Book B 3.2.1.3)."""
    return ops("try_again", start="B", ui_restart=True)


def see_phone(hold_ms=1300):
    """The phone asks the cardholder to act (C-3 GPO 6986): Try Again at Start B, "See
    phone" with the outcome, "Present card" on restart, the field off for the hold time."""
    return ops("try_again", start="B", ui_outcome=True, ui_restart=True, field_off_ms=hold_ms)


if __name__ == "__main__":
    # The C-2 S1.7 initial set, and the real Mastercard Online Request of a public trace
    # (30F0F000B0F0FF00) less the Discretionary Data flag tapterm never sets.
    assert ops("end_application") == "40F0F0F000F0FF00"
    assert final("online_request", "no_cvm") == "30F0F000A0F0FF00"
    assert see_phone() == "7010F0F0C0F00D00"
    print("outcome model ok")
