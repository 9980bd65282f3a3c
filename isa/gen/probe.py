"""Drive llvm-mc-19 as the oracle: probe every opcode of every gfx10 encoding
and record what LLVM prints. Output: isa/gen/probes.json (consumed by
gen_table.py). Usage: python3 isa/gen/probe.py

Phase 1 finds, per opcode, the largest set of operand fields LLVM accepts
(LLVM rejects non-zero fields an instruction does not use) and where each
field is printed (by giving every field a distinct register number).
Phase 2 probes modifiers and constants on top of that base word."""
import itertools, json, os, re, subprocess

MC = os.environ.get("LLVM_MC", "llvm-mc-19")
TARGETS = ["gfx1010", "gfx1011", "gfx1030"]
SENTINEL = 0xBF8003FD  # s_nop 0x3fd (probes never use this immediate)
PAD = 0xBF800000  # s_nop 0: absorbs a literal an opcode unexpectedly takes
V = 256
LIT1, LIT2 = 0x00013C00, 0x00003C00


def run(words_list, cpu, wave64=False):
    """words_list: list of lists of dwords. Returns list of output text or None."""
    lines = []
    for ws in words_list:
        for w in list(ws) + [PAD, SENTINEL]:
            lines.append(",".join("0x%02x" % b for b in w.to_bytes(4, "little")))
        lines[-(len(ws) + 2)] = "#X\n" + lines[-(len(ws) + 2)]
    text = "\n".join(lines) + "\n"
    # map probe index -> set of input line numbers
    args = [MC, "-disassemble", "-arch=amdgcn", "-mcpu=" + cpu]
    if wave64:
        args.append("-mattr=+wavefrontsize64")
    p = subprocess.run(args, input=text, capture_output=True, text=True)
    bad = set(int(m.group(1)) for m in re.finditer(r"<stdin>:(\d+):\d+: warning", p.stderr))
    # line numbers of probe starts
    starts = []
    ln = 0
    for l in text.split("\n"):
        ln += 1
        if l == "#X":
            starts.append(ln + 1)
    outs = [l.strip() for l in p.stdout.splitlines() if l.strip() and l.strip() != ".text"]
    groups, cur = [], []
    for l in outs:
        if l == "s_nop 0x3fd":
            groups.append(cur)
            cur = []
        else:
            cur.append(l)
    assert len(groups) == len(words_list), (len(groups), len(words_list))
    res = []
    for i, g in enumerate(groups):
        n = len(words_list[i])
        lines_i = set(range(starts[i], starts[i] + n))
        if g and g[-1] == "s_nop 0":
            g = g[:-1]
        if lines_i & bad or len(g) != 1:
            res.append(None)
        else:
            res.append(g[0].replace("\t", " "))  # keep LLVM's double spaces (MIMG NSA)
    return res


# encoding -> (opcode count, builder(op, fields) -> words, field list with probe values)
def vop3(op, f):
    d0 = 0xD4000000 | op << 16 | f.get("vdst", 0) | f.get("sdst", 0) << 8 | f.get("d0", 0)
    d1 = f.get("src0", 0) | f.get("src1", 0) << 9 | f.get("src2", 0) << 18 | f.get("d1", 0)
    return [d0, d1] + f.get("lit", [])


def vop3p(op, f):
    d0 = 0xCC000000 | op << 16 | f.get("vdst", 0) | f.get("d0", 1 << 14)
    d1 = f.get("src0", 0) | f.get("src1", 0) << 9 | f.get("src2", 0) << 18 | f.get("d1", 3 << 27)
    return [d0, d1] + f.get("lit", [])


def lit(w, f, key):
    return w + f.get("lit", [])


ENC = {
    "SOP2": (0x60, lambda op, f: [0x80000000 | op << 23 | f.get("sdst", 0) << 16 | f.get("src1", 0) << 8 | f.get("src0", 0)] + f.get("lit", []),
             {"sdst": 10, "src0": 20, "src1": 40}),
    "SOPK": (0x1D, lambda op, f: [0xB0000000 | op << 23 | f.get("sdst", 0) << 16 | f.get("imm", 0)] + f.get("lit", []),
             {"sdst": 10, "imm": 0x1234}),
    "SOP1": (0x100, lambda op, f: [0xBE800000 | f.get("sdst", 0) << 16 | op << 8 | f.get("src0", 0)] + f.get("lit", []),
             {"sdst": 10, "src0": 20}),
    "SOPC": (0x80, lambda op, f: [0xBF000000 | op << 16 | f.get("src1", 0) << 8 | f.get("src0", 0)] + f.get("lit", []),
             {"src0": 20, "src1": 40}),
    "SOPP": (0x80, lambda op, f: [0xBF800000 | op << 16 | f.get("imm", 0)] + f.get("lit", []),
             {"imm": 3}),
    "SMEM": (0x100, lambda op, f: [0xF4000000 | op << 18 | f.get("sdata", 0) << 6 | f.get("sbase", 0) // 2 | f.get("d0", 0),
                                   f.get("soff", 0x7D) << 25 | f.get("off", 0)],
             {"sdata": 16, "sbase": 20, "off": 0x24}),
    "VOP2": (0x3F, lambda op, f: [op << 25 | f.get("vdst", 0) << 17 | f.get("src1", 0) << 9 | f.get("src0", 0)] + f.get("lit", []),
             {"vdst": 10, "src0": V + 20, "src1": 40}),
    "VOP1": (0x100, lambda op, f: [0x7E000000 | f.get("vdst", 0) << 17 | op << 9 | f.get("src0", 0)] + f.get("lit", []),
             {"vdst": 10, "src0": V + 20}),
    "VOPC": (0x100, lambda op, f: [0x7C000000 | op << 17 | f.get("src1", 0) << 9 | f.get("src0", 0)] + f.get("lit", []),
             {"src0": V + 20, "src1": 40}),
    "VOP3": (0x400, vop3, {"vdst": 10, "sdst": 30, "src0": V + 20, "src1": V + 40, "src2": V + 60}),
    "VOP3P": (0x80, vop3p, {"vdst": 10, "src0": V + 20, "src1": V + 40, "src2": V + 60}),
    "DS": (0x100, lambda op, f: [0xD8000000 | op << 18 | f.get("d0", 0),
                                 f.get("addr", 0) | f.get("data0", 0) << 8 | f.get("data1", 0) << 16 | f.get("vdst", 0) << 24],
           {"vdst": 10, "addr": 20, "data0": 40, "data1": 60}),
    # MUBUF opcode bit 7 is dword 0 bit 25 (op << 18 puts it there)
    "MUBUF": (0x100, lambda op, f: [0xE0000000 | op << 18 | f.get("d0", (1 << 12) if "vaddr" in f else 0),
                                    f.get("vaddr", 0) | f.get("vdata", 0) << 8 | f.get("srsrc", 0) // 4 << 16
                                    | f.get("soff", 0) << 24 | f.get("d1", 0)],
              {"vdata": 10, "vaddr": 20, "srsrc": 40, "soff": 30}),
}


def mtbuf(op, f):
    d0 = 0xE8000000 | (op & 7) << 16 | f.get("fmt", 1) << 19 | f.get("d0", (1 << 12) if "vaddr" in f else 0)
    d1 = (f.get("vaddr", 0) | f.get("vdata", 0) << 8 | f.get("srsrc", 0) // 4 << 16 | (op >> 3) << 21
          | f.get("soff", 0) << 24 | f.get("d1", 0))
    return [d0, d1]


ENC["MTBUF"] = (0x10, mtbuf, {"vdata": 10, "vaddr": 20, "srsrc": 40, "soff": 30})
# VINTRP: vsrc (src1 slot) d0[7:0], attr/chan d0[15:8] (0 = attr0.x), op d0[17:16], vdst d0[25:18]
ENC["VINTRP"] = (0x4, lambda op, f: [0xC8000000 | f.get("vdst", 0) << 18 | op << 16 | f.get("attr", 0) << 8 | f.get("src1", 0)],
                 {"vdst": 10, "src1": 40})

for seg, enc in ((0, "FLAT"), (1, "SCRATCH"), (2, "GLOBAL")):
    ENC[enc] = (0x80, (lambda seg: lambda op, f: [0xDC000000 | op << 18 | seg << 14 | f.get("d0", 0),
                                                 f.get("addr", 0) | f.get("data", 0) << 8 | f.get("saddr", 0x7D) << 16 | f.get("vdst", 0) << 24
                                                 | f.get("d1", 0)])(seg),
                {"vdst": 10, "addr": 20, "data": 40, "saddr": 30})


for base, bit in (("FLAT", 16), ("GLOBAL", 16), ("SCRATCH", 16), ("MUBUF", 14)):
    n, build, fields = ENC[base]
    ENC[base + "+glc"] = (n, (lambda build, bit: lambda op, f: (lambda w: [w[0] | 1 << bit] + w[1:])(build(op, f)))(build, bit), fields)


def reg_numbers(text):
    """All register numbers printed (first index of each register token)."""
    nums = []
    for m in re.finditer(r"\b(?:s|v|ttmp)(?:\[(\d+):\d+\]|(\d+))", text):
        nums.append(int(m.group(1) or m.group(2)))
    return nums


def phase1(cpu, w64):
    probes, keys = [], []
    for enc, (n, build, fields) in ENC.items():
        names = list(fields)
        for op in range(n):
            for r in range(len(names), -1, -1):
                for sub in itertools.combinations(names, r):
                    f = {k: fields[k] for k in sub}
                    probes.append(build(op, f))
                    keys.append((enc, op, sub))
    res = run(probes, cpu, w64)
    best = {}
    for (enc, op, sub), text in zip(keys, res):
        if text is None or (enc, op) in best:
            continue
        fields = ENC[enc][2]
        nums = reg_numbers(text)
        ok = True
        for k in sub:
            v = fields[k]
            if k in ("imm", "off"):
                continue
            v = v - V if v >= V else v
            if v not in nums:
                ok = False
        if ok:
            best[(enc, op)] = (sub, text)
    return best


def phase2(base):
    """Modifier / constant probes for each valid base: key -> words."""
    P = {}
    for (enc, op), (sub, text) in base.items():
        n, build, fields = ENC[enc]
        f0 = {k: fields[k] for k in sub}

        def add(tag, **kw):
            f = dict(f0)
            f.update(kw)
            P[(enc, op, tag)] = build(op, f)
        for s in ("src0", "src1", "src2"):
            if s in sub:
                add("k_" + s, **{s: 248})
                add("l_" + s, **{s: 255, "lit": [LIT1]})
                add("m_" + s, **{s: 255, "lit": [LIT2]})
                add("i_" + s, **{s: 129})
                add("s_" + s, **{s: 2})
        if enc == "VOP3":
            add("clamp", d0=1 << 15)
            add("omod", d1=1 << 27)
            for i in range(3):
                add("neg%d" % i, d1=1 << (29 + i))
                add("abs%d" % i, d0=1 << (8 + i))
                add("opsel%d" % i, d0=1 << (11 + i))
            add("opsel3", d0=1 << 14)
        if enc == "VOP3P":
            add("clamp", d0=1 << 14 | 1 << 15)
            for i in range(3):
                add("neg%d" % i, d1=3 << 27 | 1 << (29 + i))
                add("neghi%d" % i, d0=1 << 14 | 1 << (8 + i))
                add("opsel%d" % i, d0=1 << 14 | 1 << (11 + i))
        if enc == "MTBUF":
            add("tfe", d1=1 << 23)
        # DPP16 / DPP8 / SDWA forms (src0 v20 moves into the extra dword)
        if enc in ("VOP1", "VOP2", "VOPC") and "src0" in sub:
            add("dpp16", src0=0xFA, lit=[0xFF00E414])
            add("dpp8", src0=0xE9, lit=[0x00000014])
            add("sdwa", src0=0xF9, lit=[{"VOPC": 0x06060014, "VOP1": 0x00060614}.get(enc, 0x06060614)])
        if enc == "DS":
            add("gds", d0=1 << 17)
        if enc == "SCRATCH":
            add("saddr7f", saddr=0x7F)
            add("saddr7f_lds", saddr=0x7F, d0=1 << 13)
        # cache-policy / lds / tfe bits: printed, ignored or rejected?
        d0b = f0.get("d0", (1 << 12) if "vaddr" in f0 else 0) if enc.startswith("MUBUF") else f0.get("d0", 0)
        if enc.startswith("MUBUF"):
            add("lds", d0=d0b | 1 << 16)
            add("glc", d0=d0b | 1 << 14)
            add("dlc", d0=d0b | 1 << 15)
            add("tfe", d1=1 << 23)
            add("slc", d1=1 << 22)
        if enc.split("+")[0] in ("FLAT", "GLOBAL", "SCRATCH"):
            add("lds", d0=d0b | 1 << 13)
            add("dlc", d0=d0b | 1 << 12)
            add("slc", d0=d0b | 1 << 17)
            add("nv", d1=1 << 23)
        if enc == "SMEM":
            add("glc", d0=1 << 16)
            add("dlc", d0=1 << 14)
        if enc in ("SOP1", "SOP2", "SOPK", "SOPC", "SOPP"):
            add("lit", lit=[LIT1])
        # fields the form does not print: does LLVM ignore or reject them?
        for k in fields:
            if k not in sub:
                if enc.startswith("MUBUF") and k == "vaddr":
                    add("ign_" + k, **{k: fields[k], "d0": 0})  # without offen
                else:
                    add("ign_" + k, **{k: fields[k]})
    return P


def specials(cpu, w64):
    """Symbolic fields printed from small tables: MTBUF format (0..127, on
    tbuffer_load_format_x) and EXP target (0..63)."""
    build = ENC["MTBUF"][1]
    fmt = run([build(0, {"vdata": 10, "srsrc": 40, "soff": 30, "fmt": k}) for k in range(128)], cpu, w64)
    exp = run([[0xF800000F | t << 4, 0x04030201] for t in range(64)], cpu, w64)
    # s_getreg_b32 s10, hwreg(id) (SOPK 18) and s_version (SOPK 1) without / with a flag bit
    hw = run([[0xB0000000 | 18 << 23 | 10 << 16 | i | 31 << 11] for i in range(64)], cpu, w64)
    ver = run([[0xB0000000 | 1 << 23 | b] for b in range(256)], cpu, w64)
    verf = run([[0xB0000000 | 1 << 23 | b | 0x2000] for b in range(256)], cpu, w64)
    return {"mtbuf_format": fmt, "exp_target": exp, "hwreg": hw, "version": ver, "version_w64": verf}


def mimg_word(op, dmask=1, dim=0, a16=0, nsa=0, tfe=0, d16=0, ssamp=15, extra=0):
    """MIMG (gfx10): vdata v10, vaddr v20 (NSA extra addresses v21, v22, ...),
    srsrc s[40:47], ssamp s[60:63]."""
    d0 = (0xF0000000 | (op >> 7) | nsa << 1 | dim << 3 | dmask << 8 | tfe << 16 | (op & 0x7F) << 18
          | extra)
    d1 = 20 | 10 << 8 | 10 << 16 | ssamp << 21 | a16 << 30 | d16 << 31
    ws = [d0, d1]
    for k in range(nsa):
        ws.append(sum((21 + 4 * k + j) << (8 * j) for j in range(4)))
    return ws


def mimg_probes(cpu):
    """MIMG: every opcode (with and without a sampler; bvh needs dmask 0xf,
    unorm, r128), then per valid opcode the printed vdata/vaddr widths for
    (dmask, tfe, d16) at 1D/non-NSA, and for every (dim, a16, nsa) with dmask
    1, 3 and 0xf (+tfe). LLVM's disassembler re-derives both widths from these
    fields and falls back to the raw decoded form when no variant fits, so the
    table keeps what it printed (gen_table.py turns it into `MIMG_INFO`)."""
    ops = {}
    for extra in (0, 0x9F00 - 0x100):
        for ssamp in (15, 0):
            res = run([mimg_word(op, ssamp=ssamp, extra=extra) for op in range(256)], cpu)
            for op, t in enumerate(res):
                if t and op not in ops:
                    ops[op] = {"text": t, "ssamp": ssamp, "extra": extra}
    keys, words = [], []
    for op, d in ops.items():
        base = {"ssamp": d["ssamp"], "extra": d["extra"]}
        for dmask in range(16):
            for tfe in (0, 1):
                for d16 in (0, 1):
                    keys.append((op, "dst/%d/%d/%d" % (dmask, tfe, d16)))
                    words.append(mimg_word(op, dmask=dmask, tfe=tfe, d16=d16, **base))
        for dim in range(8):
            for a16 in (0, 1):
                for nsa in range(4):
                    for dm, tfe in ((1, 0), (3, 0), (15, 0), (15, 1)):
                        keys.append((op, "addr/%d/%d/%d/%d/%d" % (dim, a16, nsa, dm, tfe)))
                        words.append(mimg_word(op, dmask=dm, tfe=tfe, dim=dim, a16=a16, nsa=nsa, **base))
        # the raw form's data/address widths: vaddr (vdata) at v[256-k] decodes only
        # when the raw width fits (LLVM then keeps the raw form if the computed one does not)
        # NSA raw form: data at v252 with dmask 0xf + tfe (5 dwords) cannot be re-sized
        for a16 in (0, 1):
            for nsa in (1, 2, 3):
                keys.append((op, "rawnsa/%d/%d" % (a16, nsa)))
                w = mimg_word(op, dmask=15, tfe=1, a16=a16, nsa=nsa, **base)
                w[1] = (w[1] & ~0xFF00) | 252 << 8
                words.append(w)
        for a16 in (0, 1):
            for k in range(1, 17):
                keys.append((op, "rawaddr/%d/%d" % (a16, k)))
                w = mimg_word(op, a16=a16, **base)
                w[1] = (w[1] & ~0xFF) | (256 - k)
                words.append(w)
    for (op, k), t in zip(keys, run(words, cpu)):
        ops[op][k] = t
    return {str(op): d for op, d in ops.items()}


def main():
    out = {"_special": {}, "_mimg": {}}
    for cpu in TARGETS:
        out["_mimg"][cpu] = mimg_probes(cpu)
        print(cpu, len(out["_mimg"][cpu]), "MIMG opcodes", flush=True)
    for cpu in TARGETS:
        for w64 in (False, True):
            tag = cpu + ("w64" if w64 else "")
            base = phase1(cpu, w64)
            P = phase2(base)
            keys = list(P)
            res = run([P[k] for k in keys], cpu, w64)
            for (enc, op), (sub, text) in base.items():
                out.setdefault("%s/%d" % (enc, op), {})[tag] = {"fields": list(sub), "text": text}
            for k, r in zip(keys, res):
                out["%s/%d" % k[:2]][tag][k[2]] = r
            out["_special"][tag] = specials(cpu, w64)
            print(tag, len(base), "forms", flush=True)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "probes.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=0, sort_keys=True)
    print("wrote", path, len(out), "opcodes")


if __name__ == "__main__":
    main()
