"""Turn isa/gen/probes.json (LLVM's answers, see probe.py) into
isa/src/generated.rs: the instruction table. Usage: python3 isa/gen/gen_table.py"""
import json, os, re

HERE = os.path.dirname(os.path.abspath(__file__))
TBITS = {"gfx1010": 1, "gfx1011": 2, "gfx1030": 4}
ENC_RS = {"SOP1": "Sop1", "SOP2": "Sop2", "SOPK": "Sopk", "SOPC": "Sopc", "SOPP": "Sopp",
          "SMEM": "Smem", "VOP1": "Vop1", "VOP2": "Vop2", "VOPC": "Vopc", "VOP3": "Vop3",
          "VOP3P": "Vop3p", "DS": "Ds", "MUBUF": "Mubuf", "FLAT": "Flat", "GLOBAL": "Global",
          "SCRATCH": "Scratch", "MTBUF": "Mtbuf", "VINTRP": "Vintrp", "EXP": "Exp", "MIMG": "Mimg"}
PROBE_VAL = {"sdst": 10, "vdst": 10, "src0": 20, "src1": 40, "src2": 60, "sdata": 16, "sbase": 20,
             "addr": 20, "data0": 40, "data1": 60, "data": 40, "saddr": 30, "vdata": 10,
             "vaddr": 20, "srsrc": 40, "soff": 30}
# field bit numbers for the `fields` mask (shared with decode.rs)
FIELD_BIT = {"sdst": 0, "vdst": 0, "sdata": 0, "vdata": 0, "src0": 1, "addr": 1, "sbase": 1, "vaddr": 1,
             "src1": 2, "data0": 2, "data": 2, "soff": 2, "src2": 3, "data1": 3, "saddr": 3, "srsrc": 3,
             "imm": 4, "off": 5}
# VOP3 sdst is separate
FIELD_BIT_SDST = 6
FLAGS = {"FP_MODS": 1, "CLAMP": 2, "OMOD": 4, "OP_SEL": 8, "PACKED": 16, "SDST": 32, "SINGLE": 64,
         "LOAD": 128, "STORE": 256, "INT_MODS": 512, "OFFSET01": 1024, "ATOMIC": 2048, "MIX": 4096, "SCALAR_DST": 8192,
         "IGN_GLC": 1 << 14, "IGN_DLC": 1 << 15, "IGN_SLC": 1 << 16, "LDS": 1 << 17,
         "NO_DPP16": 1 << 18, "NO_DPP8": 1 << 19, "NO_SDWA": 1 << 20, "SADDR_7F_OFF": 1 << 21,
         "SADDR_7F_OFF_LDS": 1 << 22}


def slot(enc, field, name):
    if field in ("sdst", "vdst"):
        return "Def1" if (enc == "VOP3" and field == "sdst") else "Def0"
    if enc == "SMEM":
        return {"sdata": "Src2" if "store" in name else "Def0", "sbase": "Src0", "soff": "Src1"}[field]
    if enc in ("MUBUF", "MTBUF"):
        if field == "vdata":
            return "Def0" if ("load" in name) else "Src1"
        return {"vaddr": "Src0", "srsrc": "Src2", "soff": "Src3"}[field]
    if enc in ("FLAT", "GLOBAL", "SCRATCH"):
        return {"addr": "Src0", "data": "Src1", "saddr": "Src2"}[field]
    if enc == "DS":
        return {"addr": "Src0", "data0": "Src1", "data1": "Src2"}[field]
    return {"src0": "Src0", "src1": "Src1", "src2": "Src2", "imm": "Src0"}[field]


def split_ops(text):
    parts = text.split(" ", 1)
    name = parts[0]
    rest = parts[1] if len(parts) > 1 else ""
    toks, depth, cur = [], 0, ""
    for ch in rest:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            toks.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        toks.append(cur.strip())
    # modifiers follow the last operand separated by spaces
    if toks:
        last = toks[-1].split(" ")
        toks[-1] = last[0]
    return name, toks


def reg_of(tok):
    m = re.fullmatch(r"-?\|?(s|v|ttmp)(?:\[(\d+):(\d+)\]|(\d+))\|?", tok)
    if not m:
        return None
    if m.group(4):
        return m.group(1), int(m.group(4)), 1
    return m.group(1), int(m.group(2)), int(m.group(3)) - int(m.group(2)) + 1


def strip(t):
    # keep the register class LLVM complains about as a marker token suffix
    return re.sub(r"/\*Invalid register, operand has '(\w+)' register class\*/", r"#\1", t)


def konst(d, f):
    k, l, m = d.get("k_" + f), d.get("l_" + f), d.get("m_" + f)
    if k is None:
        return "NoConst"
    kt = split_ops(k)[1]
    lt = split_ops(l)[1] if l else []
    mt = split_ops(m)[1] if m else []
    if "0.15915494309189532" in kt:
        return "B64"
    if "0x3118" in kt:
        return "I16" if "0x3c00" in lt else "V2I16"
    if "0.15915494" in kt:
        if "1.0" in lt:
            return "F16"
        if "1.0" in mt:
            return "V2F16"
        return "B32"
    return "NoConst"


SPECIAL = {}


def hwreg_names(cpu):
    """hwreg id -> symbolic name on this target ('' = printed as a number)."""
    out = []
    for t in SPECIAL[cpu]["hwreg"]:
        m = re.search(r"hwreg\((HW_REG_\w+)\)", t or "")
        out.append(m.group(1) if m else "")
    return out


def analyse(enc, d32, d64):
    """One target's probe results -> row description (dict) or None."""
    text = strip(d32["text"])
    fields = d32["fields"]
    mix = False
    if enc == "VOP3P" and text.endswith(" op_sel_hi:[1,1,1]"):
        text = text[: -len(" op_sel_hi:[1,1,1]")]
        mix = True
    name, toks = split_ops(text)
    _, toks64 = split_ops(strip(d64["text"]))
    base = name
    flags = 0
    for suf in ("_e32", "_e64"):
        if base.endswith(suf):
            base = base[: -len(suf)]
    if enc == "VOP3" and not name.endswith("_e64"):
        flags |= FLAGS["SINGLE"]
    ops = []
    by_val = {}
    for f in fields:
        if f in PROBE_VAL:
            by_val.setdefault(PROBE_VAL[f], f)
    if enc in ("VOP3",) and "sdst" in fields:
        by_val[30] = "sdst"
        flags |= FLAGS["SDST"]
    if enc in ("MUBUF", "MTBUF", "SMEM"):
        by_val[30] = "soff"
    if enc in ("FLAT", "GLOBAL", "SCRATCH"):
        by_val[30] = "saddr"
    for i, t in enumerate(toks):
        rc = ""
        if "#" in t:
            t, rc = t.split("#", 1)
        r = reg_of(t)
        t64 = toks64[i] if i < len(toks64) else t
        r64 = reg_of(t64.split("#")[0])
        if r is not None and r[1] in by_val:
            f = by_val[r[1]]
            w64 = r64[2] if r64 else r[2]
            if f in ("vdst",) and r[0] == "s":
                flags |= FLAGS["SCALAR_DST"]
            # VGPR-only sources: LLVM comments constants / SGPRs placed there
            def tok(key):
                t = split_ops(strip(d32.get(key) or "").replace("/*Invalid immediate*/", "#!noimm"))[1]
                return t[i] if i < len(t) else ""
            no_imm = f.startswith("src") and "#!noimm" in tok("i_" + f)
            vrc = tok("s_" + f).split("#")[1] if "#" in tok("s_" + f) and f.startswith("src") else ""
            # VOP3 input modifiers this source prints: 1 neg (`-x`), 2 abs (`|x|`), 4 sext
            smods = 0
            if enc == "VOP3" and f.startswith("src"):
                n = f[3]
                if tok("neg" + n).startswith("-"):
                    smods |= 1
                elif tok("neg" + n).startswith("sext("):
                    smods |= 4
                if tok("abs" + n).startswith("|"):
                    smods |= 2
            ops.append({"slot": slot(enc, f, base), "dwords": r[2], "wave": int(w64 != r[2]),
                        "konst": konst(d32, f) if f.startswith("src") else "NoConst", "field": f, "rc": rc,
                        "vrc": vrc, "no_imm": int(no_imm), "mods": smods})
        elif re.fullmatch(r"attr\d+\.[xyzw]", t) and enc in ("VOP3", "VINTRP"):
            # interpolation attribute: VOP3 src0 field / VINTRP attr+chan field
            ops.append({"slot": "Src0", "dwords": 1, "wave": 0, "konst": "Attr", "field": "src0"})
        elif re.fullmatch(r"p10|p20|p0|invalid_param_\d+", t) and enc in ("VOP3", "VINTRP"):
            ops.append({"slot": "Src1", "dwords": 1, "wave": 0, "konst": "Param", "field": "src1"})
        elif enc == "SMEM" and i == 0 and re.fullmatch(r"\d+", t):
            # s_atc_probe*: the sdata field is a 7-bit immediate
            ops.append({"slot": "Src2", "dwords": 1, "wave": 0, "konst": "Imm", "field": "sdata"})
        elif t in ("vcc_lo", "vcc"):
            ops.append({"slot": "ImplicitVcc", "dwords": 1, "wave": 1, "konst": "NoConst", "field": None})
        elif f"{t}" == "off":
            ops.append({"slot": "Off", "dwords": 1, "wave": 0, "konst": "NoConst", "field": None})
        elif enc in ("VOP2", "VOP3") and t == "0xbf800000":
            ops.append({"slot": "LiteralK", "dwords": 1, "wave": 0, "konst": "B32", "field": None})
        elif enc == "SOPK" and any(o["field"] == "imm" for o in ops):
            ops.append({"slot": "LiteralK", "dwords": 1, "wave": 0, "konst": "B32", "field": None})
        elif enc in ("SOPK", "SOPP") and "imm" in fields:
            ops.append({"slot": "Src0", "dwords": 1, "wave": 0, "konst": "NoConst", "field": "imm"})
        elif enc == "SMEM" and t.startswith("0x"):
            pass  # offset, printed by the SMEM printer
        else:
            return None  # unknown shape: leave to .long
    if enc == "VOP3":
        if any(re.search(r"-v\[?%d\b" % (20 * (i + 1)), d32.get("neg%d" % i) or "") or
               re.search(r"\|v\[?%d\b" % (20 * (i + 1)), d32.get("abs%d" % i) or "") for i in range(3)):
            flags |= FLAGS["FP_MODS"]
        if d32.get("clamp") and d32["clamp"].endswith(" clamp"):
            flags |= FLAGS["CLAMP"]
        if d32.get("omod") and "mul:2" in d32["omod"]:
            flags |= FLAGS["OMOD"]
        if any(d32.get("opsel%d" % i) and "op_sel" in d32["opsel%d" % i] for i in range(4)):
            flags |= FLAGS["OP_SEL"]
    if enc == "VOP3P":
        if mix:
            flags |= FLAGS["MIX"]
        flags |= FLAGS["PACKED"]
        if d32.get("clamp") and d32["clamp"].endswith(" clamp"):
            flags |= FLAGS["CLAMP"]
        if d32.get("neghi0") and "neg_hi" in d32["neghi0"]:
            flags |= FLAGS["FP_MODS"]
    if enc == "DS" and re.match(r"ds_(read|write|wrxchg)2", base):
        flags |= FLAGS["OFFSET01"]
    # must-be-zero: mod probes LLVM rejects
    mz0, mz1 = 0, 0
    if enc == "VOP3":
        for i in range(3):
            if d32.get("neg%d" % i) is None:
                mz1 |= 1 << (29 + i)
            if d32.get("abs%d" % i) is None and not flags & FLAGS["SDST"]:
                mz0 |= 1 << (8 + i)
        if d32.get("omod") is None:
            mz1 |= 3 << 27
        if d32.get("clamp") is None:
            mz0 |= 1 << 15
        for i in range(4):
            if ("opsel%d" % i) in d32 and d32["opsel%d" % i] is None:
                mz0 |= 1 << (11 + i)
        if any(o["konst"] == "Attr" for o in ops) and d32.get("ign_src0") is None:
            mz1 |= 1 << 8  # `high` (src0 bit 8) only on the f16 interp forms
    if enc == "MTBUF" and d32.get("tfe") is None:
        mz1 |= 1 << 23
    for k in ("dpp16", "dpp8", "sdwa"):
        if k in d32 and d32[k] is None:
            flags |= FLAGS["NO_" + k.upper()]
    if enc == "DS" and "gds" in d32 and d32["gds"] is None:
        mz0 |= 1 << 17
    if enc == "SCRATCH" and d32.get("saddr7f") and "exec_hi" not in d32["saddr7f"]:
        flags |= FLAGS["SADDR_7F_OFF"]  # gfx10.3: saddr 0x7f is `off`
    if enc == "SCRATCH" and d32.get("saddr7f_lds") and "exec_hi" not in d32["saddr7f_lds"]:
        flags |= FLAGS["SADDR_7F_OFF_LDS"]  # the lds form: saddr 0x7f is `off`
    # cache-policy / lds / tfe bits LLVM rejects (must be zero) or ignores
    bits = {"MUBUF": {"lds": (0, 16), "dlc": (0, 15), "tfe": (1, 23), "slc": (1, 22), "glc": (0, 14)},
            "SMEM": {"glc": (0, 16), "dlc": (0, 14)}}
    for e in ("FLAT", "GLOBAL", "SCRATCH"):
        bits[e] = {"lds": (0, 13), "dlc": (0, 12), "slc": (0, 17), "nv": (1, 23)}
    base_text = strip(d32["text"])
    for k, (w, b) in bits.get(enc, {}).items():
        if k not in d32:
            continue
        t = d32[k]
        if t is None:
            if w == 0:
                mz0 |= 1 << b
            else:
                mz1 |= 1 << b
        elif strip(t) == base_text and k in ("glc", "dlc", "slc"):
            flags |= FLAGS["IGN_" + k.upper()]
        elif k == "lds" and t.endswith(" lds"):
            flags |= FLAGS["LDS"]
    if enc == "VOP3P":
        for i in range(3):
            if d32.get("neg%d" % i) is None:
                mz1 |= 1 << (29 + i)
            if d32.get("neghi%d" % i) is None:
                mz0 |= 1 << (8 + i)
        if d32.get("clamp") is None:
            mz0 |= 1 << 15
        for i in range(3):
            if ("opsel%d" % i) in d32 and d32["opsel%d" % i] is None:
                mz0 |= 1 << (11 + i)
    # fields LLVM ignores when set (same text as the base word)
    imask = 0
    for k, v in d32.items():
        if k.startswith("ign_") and v is not None and strip(v) == strip(d32["text"]):
            f = k[4:]
            if enc == "VOP3" and f == "sdst":
                imask |= 1 << FIELD_BIT_SDST
            elif f in FIELD_BIT:
                imask |= 1 << FIELD_BIT[f]
    fmask = 0
    for f in fields:
        if enc == "VOP3" and f == "sdst":
            fmask |= 1 << FIELD_BIT_SDST
        elif f in FIELD_BIT:
            fmask |= 1 << FIELD_BIT[f]
    for o in ops:
        if o["konst"] in ("Attr", "Param", "Imm"):
            fmask |= 1 << FIELD_BIT[o["field"]]
    sig_text = text if enc in ("SOPP", "SOPK") else ""
    if "hwreg(" in text:
        sig_text += json.dumps(hwreg_names(d32["_cpu"]))  # rows split where the names differ
    return {"name": name, "base": base, "flags": flags, "ops": ops, "fmask": fmask, "mz": [mz0, mz1],
            "ignored": imask, "sig_text": sig_text}


def mimg_addr_count(tok):
    if tok.startswith("["):
        return len(tok.split(","))
    r = reg_of(tok)
    return r[2] if r else None


def mimg_parse(t):
    """(vdata dwords, address count) of a printed MIMG instruction."""
    name, toks = split_ops(re.sub(r"\s+", " ", t))
    return reg_of(toks[0])[2], mimg_addr_count(toks[1])


def dst_size(dmask, tfe, d16, g4):
    n = 4 if g4 else max(bin(dmask).count("1"), 1)
    if d16:
        n = (n + 1) // 2
    return n + tfe


def mimg_obs(d):
    """All MIMG probes of one opcode as ((dim, a16, nsa), (dmask, tfe, d16), text)."""
    eff = lambda dm: dm | (0xE if d["extra"] else 0)
    for k, t in d.items():
        if not k.startswith(("addr/", "dst/")):  # rawaddr/: see mimg_fit
            continue
        v = [int(x) for x in k.split("/")[1:]]
        if k.startswith("dst/"):
            yield (0, 0, 0), (eff(v[0]), v[1], v[2]), t
        else:
            yield tuple(v[:3]), (eff(v[3]), v[4], 0), t


def mimg_fit(op, d):
    """Model of LLVM's convertMIMGInst for one opcode (see MimgInfo in table.rs):
    the data / address sizes are re-derived from dmask/tfe/d16 and dim/a16/nsa
    when a variant of that size exists, else the raw decoded form is printed."""
    name = d["text"].split()[0]
    bvh = "bvh" in name
    # gather4-like: data size 4 whatever dmask says
    g4 = d.get("dst/1/0/0") is not None and mimg_parse(d["dst/1/0/0"])[0] == 4 and not bvh
    obs = [(pos, dd, mimg_parse(t)) for pos, dd, t in mimg_obs(d) if t is not None]
    size = lambda dd: dst_size(dd[0], dd[1], dd[2], g4)
    # the raw decoded form's data size: what LLVM prints when no variant fits
    raws = [vw for pos, dd, (vw, ac) in obs if bvh or vw != size(dd)]
    raw_vdata = max(set(raws), key=raws.count) if raws else 1
    # dst_map[n]: data size LLVM prints for a computed size n (0: no variant, raw form)
    dst_map = [0] * 8
    for pos, dd, (vw, ac) in obs:
        if pos == (0, 0, 0) and not bvh:
            ds = size(dd)
            dst_map[ds] = ds if vw == ds else (vw if vw != raw_vdata else 0)
    dst_valid = 0
    fixed = [[[0] * 4 for _ in range(2)] for _ in range(8)]
    raw = [[[0] * 4 for _ in range(2)] for _ in range(8)]
    valid = [[[False] * 4 for _ in range(2)] for _ in range(8)]
    for (dim, a16, nsa), (dm, tfe, d16), (vw, ac) in obs:
        valid[dim][a16][nsa] = True
        if (dim, a16, nsa) == (0, 0, 0):
            dst_valid |= 1 << (dm | tfe << 4 | d16 << 5)
        want = dst_map[size((dm, tfe, d16))]
        if bvh or not want or (vw == raw_vdata and want != raw_vdata):
            raw[dim][a16][nsa] = ac
        elif want != raw_vdata and vw == want:
            fixed[dim][a16][nsa] = ac
    space = any(nsa and name + "  " in t for (dim, a16, nsa), dd, t in mimg_obs(d) if t)
    # non-NSA raw address count: the smallest tail slot v[256-k..] that decodes
    raw0 = [0, 0]
    for a16 in (0, 1):
        for k in range(1, 17):
            if d.get("rawaddr/%d/%d" % (a16, k)):
                raw0[a16] = k
                break
    if not bvh:
        raw0 = [raw0[0] or raw0[1]] * 2
    # NSA raw address count per (a16, nsa) from the un-resizable probes
    for a16 in (0, 1):
        for nsa in (1, 2, 3):
            t = d.get("rawnsa/%d/%d" % (a16, nsa))
            if t:
                for dim in range(8):
                    raw[dim][a16][nsa] = mimg_parse(t)[1]
    for dim in range(8):
        for a16 in range(2):
            if raw0[a16] and not raw[dim][a16][0]:
                raw[dim][a16][0] = raw0[a16]
    # raw address count: a property of the decoded form (nsa; a16 for bvh)
    for nsa in range(4):
        for a16 in range(2):
            seen = [raw[dim][a16][nsa] for dim in range(8) if raw[dim][a16][nsa]]
            if not bvh:
                seen += [raw[dim][1 - a16][nsa] for dim in range(8) if raw[dim][1 - a16][nsa]]
            for dim in range(8):
                if not valid[dim][a16][nsa]:
                    raw[dim][a16][nsa] = 0
                    fixed[dim][a16][nsa] = 0
                elif not raw[dim][a16][nsa]:
                    raw[dim][a16][nsa] = seen[0] if seen else fixed[dim][a16][nsa]
    return {"name": name, "fixed": fixed, "raw": raw, "raw_vdata": raw_vdata, "dst_map": dst_map,
            "dst_valid": dst_valid, "gather4": g4, "sampler": d["ssamp"] != 0, "bvh": bvh,
            "store": "store" in name, "nsa_space": space}


def mimg_check(m, d):
    """Predict every probe with the model; return the mismatches."""
    bad = []
    for (dim, a16, nsa), (dm, tfe, d16), t in mimg_obs(d):
        if not m["dst_valid"] >> (dm | tfe << 4 | d16 << 5) & 1 or not m["raw"][dim][a16][nsa]:
            pred = None
        else:
            ds = m["dst_map"][dst_size(dm, tfe, d16, m["gather4"])]
            if m["fixed"][dim][a16][nsa] and ds:
                pred = (ds, m["fixed"][dim][a16][nsa])
            else:
                pred = (m["raw_vdata"], m["raw"][dim][a16][nsa])
        got = mimg_parse(t) if t else None
        if pred != got:
            bad.append(((dim, a16, nsa), (dm, tfe, d16), pred, got, t))
    return bad


def mimg(probes):
    """MIMG rows (one per opcode and target set) and their MimgInfo."""
    by = {}
    nbad = [0]
    for cpu, bit in TBITS.items():
        for op, d in probes[cpu].items():
            m = mimg_fit(int(op), d)
            bad = mimg_check(m, d)
            for b in bad[:3]:
                print("mimg model mismatch", cpu, op, b)
            nbad[0] += len(bad)
            sig = json.dumps(m, sort_keys=True)
            if (op, sig) in by:
                by[(op, sig)][0] |= bit
            else:
                by[(op, sig)] = [bit, m]
    print("mimg: %d forms, %d probes the model does not reproduce" % (len(by), nbad[0]))
    rows, infos = [], []
    for (op, _), (bits, m) in sorted(by.items(), key=lambda kv: int(kv[0][0])):
        rows.append({"name": m["name"], "base": m["name"], "enc": "MIMG", "opcode": int(op), "targets": bits,
                     "flags": FLAGS["STORE"] if m["store"] else FLAGS["LOAD"], "fmask": 0, "ignored": 0,
                     "mz": [0, 0], "ops": [], "aux": len(infos)})
        infos.append(m)
    return rows, infos


def main():
    probes = json.load(open(os.path.join(HERE, "probes.json")))
    SPECIAL.update(probes["_special"])
    rows = {}
    for key in sorted((k for k in probes if "/" in k), key=lambda k: (k.split("/")[0], int(k.split("/")[1]))):
        enc, op = key.split("/")
        op = int(op)
        if enc.endswith("+glc") or enc.startswith("_"):
            continue
        for cpu, bit in TBITS.items():
            d32 = probes[key].get(cpu)
            d64 = probes[key].get(cpu + "w64")
            if not d32 or not d64:
                continue
            g = probes.get(enc + "+glc/%d" % op, {})
            g32, g64 = g.get(cpu), g.get(cpu + "w64")
            atomic = False
            if g32 and g64 and ("vdst" in g32["fields"] or "vdata" in g32["fields"]) and g32["fields"] != d32["fields"]:
                d32, d64, atomic = g32, g64, True
            d32 = dict(d32, _cpu=cpu)
            a = analyse(enc.split("+")[0], d32, d64)
            if a is not None and atomic:
                a["flags"] |= FLAGS["ATOMIC"]
            if a is None:
                print("skip", enc, op, cpu, d32["text"])
                continue
            sig = json.dumps(a, sort_keys=True)
            rk = (enc, op, sig)
            if rk in rows:
                rows[rk]["targets"] |= bit
            else:
                a["targets"] = bit
                a["enc"] = enc
                a["opcode"] = op
                rows[rk] = a
    rows = list(rows.values())
    special = probes["_special"]
    # EXP: one form; operands (target, 4 sources / off, done, compr, vm) are
    # printed from the fields by print.rs with the target names below.
    # One row per set of targets with the same target names / formats (the
    # printer indexes the tables by the row's first target).
    groups = {}
    for c, bit in TBITS.items():
        if all(t and t.startswith("exp ") for t in special[c]["exp_target"]):
            sig = json.dumps([special[c]["exp_target"], special[c]["mtbuf_format"]])
            groups[sig] = groups.get(sig, 0) | bit
    for bits in groups.values():
        rows.append({"name": "exp", "base": "exp", "enc": "EXP", "opcode": 0, "targets": bits, "flags": 0,
                     "fmask": 0, "ignored": 0, "mz": [0, 0], "ops": []})
    mimg_rows, mimg_infos = mimg(probes["_mimg"])
    rows += mimg_rows
    ops = sorted(set(r["base"] for r in rows))
    opi = {n: i for i, n in enumerate(ops)}
    out = ["// @generated by isa/gen/gen_table.py from isa/gen/probes.json (llvm-mc-19). Do not edit.",
           "#![allow(clippy::all)]",
           "use crate::table::{ConstKind::*, InstrInfo, MimgInfo, OpndDesc, Slot::*};",
           "use crate::types::Encoding::*;", "",
           "/// Opcode identity: one variant per LLVM base mnemonic (without `_e32`/`_e64`).",
           "#[allow(non_camel_case_types, missing_docs)]",
           "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]",
           "#[repr(u16)]", "pub enum Op {"]
    for n in ops:
        out.append("    %s," % n.upper())
    out.append("}")
    out.append("")
    out.append("pub(crate) static OP_NAMES: [&str; %d] = [" % len(ops))
    for n in ops:
        out.append('    "%s",' % n)
    out.append("];")
    out.append("")
    out.append("pub(crate) static ROWS: &[InstrInfo] = &[")
    for r in rows:
        opnds = ", ".join("OpndDesc { slot: %s, dwords: %d, wave: %s, konst: %s, sreg_only: %s, vgpr_only: \"%s\", no_imm: %s, mods: %d }" % (
            o["slot"], o["dwords"], "true" if o["wave"] else "false", o["konst"],
            '"%s"' % o["rc"] if o.get("rc") else '""', o.get("vrc", ""), "true" if o.get("no_imm") else "false",
            o.get("mods", 0)) for o in r["ops"])
        out.append("    InstrInfo { op: Op::%s, name: \"%s\", encoding: %s, opcode: %d, targets: %d, flags: %d, fields: %d, ignored: %d, must_zero: [0x%x, 0x%x], aux: %d, operands: &[%s] }," % (
            r["base"].upper(), r["name"], ENC_RS[r["enc"]], r["opcode"], r["targets"], r["flags"], r["fmask"], r["ignored"],
            r["mz"][0], r["mz"][1], r.get("aux", 0), opnds))
    out.append("];")
    out.append("")
    cpus = list(TBITS)

    def fmt_suffix(t):
        m = re.search(r" format:(\S+)", t or "")
        return " format:" + m.group(1) if m else ""
    out.append("/// MTBUF `format` field (0..=127) as LLVM prints it after the operands, per")
    out.append("/// target (gfx1010, gfx1011, gfx1030); empty for the default format.")
    out.append("pub(crate) static MTBUF_FORMAT: [[&str; 128]; 3] = [")
    for c in cpus:
        out.append("    [" + ", ".join('"%s"' % fmt_suffix(t) for t in special[c]["mtbuf_format"]) + "],")
    out.append("];")
    out.append("")
    out.append("/// hwreg ids (0..=63) with a symbolic name, per target (gfx1010, gfx1011, gfx1030).")
    out.append("pub(crate) static HWREG_NAMES: [[&str; 64]; 3] = [")
    for c in cpus:
        out.append("    [" + ", ".join('"%s"' % n for n in hwreg_names(c)) + "],")
    out.append("];")
    out.append("")
    v0 = [t.split(" ", 1)[1] for t in special["gfx1010"]["version"]]
    v1 = [t.split(" ", 1)[1].split("|")[0] for t in special["gfx1010"]["version_w64"]]
    out.append("/// s_version: the printed value 0..=255 without flag bits, and the version")
    out.append("/// term of the `|UC_VERSION_*_BIT` expression (from LLVM).")
    out.append("pub(crate) static UC_VERSION: [&str; 256] = [" + ", ".join('"%s"' % t for t in v0) + "];")
    out.append("pub(crate) static UC_VERSION_TERM: [&str; 256] = [" + ", ".join('"%s"' % t for t in v1) + "];")
    out.append("")
    out.append("/// EXP target names (0..=63) per target (gfx1010, gfx1011, gfx1030).")
    out.append("pub(crate) static EXP_TARGET: [[&str; 64]; 3] = [")
    for c in cpus:
        out.append("    [" + ", ".join('"%s"' % t.split()[1] for t in special[c]["exp_target"]) + "],")
    out.append("];")
    out.append("")
    out.append("/// MIMG forms (`InstrInfo::aux` indexes this), from `probe.py`'s MIMG probes.")
    out.append("pub(crate) static MIMG_INFO: [MimgInfo; %d] = [" % len(mimg_infos))
    arr = lambda a3: "[" + ", ".join("[" + ", ".join("[" + ", ".join(str(x) for x in n) + "]" for n in a) + "]" for a in a3) + "]"
    for m in mimg_infos:
        out.append("    MimgInfo { fixed: %s, raw: %s, raw_vdata: %d, dst_map: %s, dst_valid: 0x%x, gather4: %s, sampler: %s, bvh: %s, store: %s, nsa_space: %s }," % (
            arr(m["fixed"]), arr(m["raw"]), m["raw_vdata"], m["dst_map"], m["dst_valid"], *("true" if m[k] else "false" for k in ("gather4", "sampler", "bvh", "store", "nsa_space"))))
    out.append("];")
    path = os.path.join(HERE, "..", "src", "generated.rs")
    open(path, "w").write("\n".join(out) + "\n")
    print("wrote", path, len(rows), "rows", len(ops), "ops")


if __name__ == "__main__":
    main()
