"""Independent model of Book B / C-3 / C-2 command construction for synthetic vectors.
Expectations are written by hand per vector from the spec rules, not from kernel output."""
import json, os, sys
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
SRC3 = "synthetic: hand-built from C-3 (qVSDC) and Book B; card responses invented"
SRC2 = "synthetic: hand-built from C-2 (M/Chip) and Book B; card responses invented"
SRCB = "synthetic: hand-built from Book B (Entry Point); card responses invented"
# Kernel 4 (American Express), model/amex.py
SRC4 = "synthetic: hand-built from C-4 (ExpressPay EMV mode), Book 2 CDA and Book B; card responses invented and signed with tapterm's Amex test keys"

def h(b): return b.hex().upper()
def x(s): return bytes.fromhex(s.replace(' ', ''))
def ln(n):
    if n < 0x80: return bytes([n])
    if n < 0x100: return bytes([0x81, n])
    return bytes([0x82, n >> 8, n & 0xFF])
def tlv(tag, val):
    if isinstance(val, str): val = x(val)
    return x(tag) + ln(len(val)) + val
def tpl(tag, *items): return tlv(tag, b''.join(items))

PPSE_CMD = "00A404000E325041592E5359532E444446303100"
def ppse(*entries):
    # entries: (aid, priority or None, kernel id or None, label or None[, extended selection])
    es = b''
    for aid, prio, kid, label, *ext in entries:
        body = tlv('4F', aid)
        if label: body += tlv('50', label.encode().hex())
        if prio is not None: body += tlv('87', '%02X' % prio)
        if kid is not None: body += tlv('9F2A', kid)
        if ext: body += tlv('9F29', ext[0])
        es += tlv('61', body)
    return h(tpl('6F', tlv('84', b'2PAY.SYS.DDF01'), tpl('A5', tpl('BF0C', es)))) + "9000"
def select_cmd(aid):
    a = x(aid); return h(bytes([0, 0xA4, 4, 0, len(a)]) + a + b'\x00')
def fci(aid, pdol=None, label='VISA CREDIT'):
    a5 = tlv('50', label.encode().hex())
    if pdol is not None: a5 += tlv('9F38', pdol)
    return h(tpl('6F', tlv('84', aid), tpl('A5', a5))) + "9000"

def dol_parse(d):
    d = x(d); out = []; i = 0
    while i < len(d):
        t = d[i:i+1]; i += 1
        if t[0] & 0x1F == 0x1F:
            while True:
                t += d[i:i+1]; i += 1
                if not (t[-1] & 0x80): break
        out.append((h(t), d[i])); i += 1
    return out
NUMERIC = {'9F02', '9F03', '9F1A', '5F2A', '9A', '9C', '9F21', '9F35', '9F09'}
def dol_build(d, values):
    out = b''
    for tag, n in dol_parse(d):
        v = values.get(tag)
        if v is None: out += bytes(n); continue
        v = x(v)
        if tag in NUMERIC:
            out += (bytes(n) + v)[-n:] if len(v) < n else v[len(v)-n:]
        else:
            out += (v + bytes(n))[:n]
    return out
def gpo_cmd(data):
    body = b'\x83' + bytes([len(data)]) + data
    return h(bytes([0x80, 0xA8, 0, 0, len(body)]) + body + b'\x00')
def rr_cmd(sfi, rec): return h(bytes([0, 0xB2, rec, (sfi << 3) | 4, 0]))

EXP = {'978': 2, '826': 2, '392': 0, '414': 3, '036': 2, '840': 2}
def minor(amount, cur):
    e = EXP[cur]
    if '.' in amount:
        a, b = amount.split('.'); b = (b + '0' * e)[:e]
    else:
        a, b = amount, '0' * e
    return int(a + b) if e else int(a)
def n12(v): return '%012d' % v

VISA_PDOL = "9F66049F02069F03069F1A0295055F2A029A039C019F3704"
def preprocess(ttq, amount, cur, comb):
    """Book B 3.1.1 on one combination; returns (ttq hex, not_allowed)."""
    t = bytearray(x(ttq)); t[1] &= ~0xC0 & 0xFF
    m = minor(amount, cur)
    lim = lambda k: minor(comb[k], cur) if k in comb else None
    na = False
    if comb.get('status_check') and m == 10 ** EXP[cur]: t[1] |= 0x80
    if m == 0:
        if comb.get('zero_amount') == 'not_allowed': na = True
        elif t[0] & 0x08: na = True
        else: t[1] |= 0x80
    if lim('transaction_limit') is not None and m >= lim('transaction_limit'): na = True
    if lim('floor_limit') is not None and m > lim('floor_limit'): t[1] |= 0x80
    if lim('cvm_required_limit') is not None and m >= lim('cvm_required_limit'): t[1] |= 0x40
    return h(bytes(t)), na

def visa_comb(aid="A0000000031010", ttq="36004000", **kw):
    c = {"aid": aid, "kernel": 3, "ttq": ttq, "transaction_limit": "100.00",
         "floor_limit": "0.00", "cvm_required_limit": "50.00"}
    c.update(kw); return c

TERMINAL = {"9F1A": "0250", "9F35": "22", "9F33": "E0F8C8"}
def tx(amount="12.34", cur="978", uns=("11223344",), date="2026-11-26"):
    return {"type": "purchase", "amount": amount, "amount_other": "0", "currency": cur,
            "date": date, "time": "19:55:00", "unpredictable_numbers": list(uns)}
def visa_gpo(comb, t, un, pdol=VISA_PDOL, terminal=TERMINAL):
    ttq, _ = preprocess(comb['ttq'], t['amount'], t['currency'], comb)
    y, m, d = t['date'].split('-')
    vals = {'9F66': ttq, '9F02': n12(minor(t['amount'], t['currency'])), '9F03': n12(0),
            '9F1A': terminal['9F1A'], '95': '0000000000', '5F2A': '0' + t['currency'],
            '9A': y[2:] + m + d, '9C': '00', '9F37': un}
    return gpo_cmd(dol_build(pdol, vals)), ttq

PAN = "4761739001010119"
T2 = PAN + "D29122010000000000000F"
def visa_card(cid='80', ctq='0000', extra=b'', afl=None, t2=T2, omit=(), iad="06011203A00000"):
    items = [('82', '0000' if afl is None else '0040'), ('94', afl), ('57', t2), ('5F34', '01'),
             ('9F10', iad), ('9F26', 'A1B2C3D4E5F60718'), ('9F27', cid), ('9F36', '0042'),
             ('9F6C', ctq), ('9F6E', '20700000')]
    b = b''
    for t, v in items:
        if v is None or t in omit: continue
        b += tlv(t, v)
    return h(tlv('77', b + extra)) + "9000"

def shipped_config():
    """assets/terminal.toml as a vector config: its terminal data (9F4E from app.merchant_name)
    and its combinations, field for field (the file uses the vector's combination fields)."""
    import tomllib
    path = os.path.join(OUT, '..', 'assets', 'terminal.toml')
    with open(path, 'rb') as f: cfg = tomllib.load(f)
    terminal = dict(cfg['terminal'])
    terminal['9F4E'] = h(cfg['app']['merchant_name'].strip().encode())
    return {"terminal": terminal, "combinations": cfg['combination']}

def write(name, desc, source, config, transaction, taps, expect, notes=None):
    v = {"format": "tapterm-vector/1", "name": name, "description": desc, "source": source}
    if notes: v["notes"] = notes
    v.update({"config": config, "transaction": transaction, "taps": taps, "expect": expect})
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        json.dump(v, f, indent=2); f.write('\n')

def E(c, r=None, error=None, us=None):
    d = {"c": c}
    if r is not None: d["r"] = r
    if error: d["error"] = error
    if us is not None: d["us"] = us
    return d
