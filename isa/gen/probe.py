"""Drive llvm-mc-19 as the oracle: probe every opcode of every gfx10 encoding
and record what LLVM prints. Output: isa/gen/probes.json (consumed by
gen_table.py). Usage: python3 isa/gen/probe.py"""
import json, os, re, subprocess, sys

MC = os.environ.get("LLVM_MC", "llvm-mc-19")
TARGETS = ["gfx1010", "gfx1011", "gfx1030"]
SENTINEL = 0xBF9F0000  # s_code_end
PAD = 0xBF800000  # s_nop 0: absorbs a literal an opcode unexpectedly takes


def run(words_list, cpu, wave64=False):
    """words_list: list of lists of dwords. Returns list of output text or None."""
    lines = []
    for ws in words_list:
        lines.append(",".join("0x%02x" % b for w in ws for b in w.to_bytes(4, "little")))
        lines.append(",".join("0x%02x" % b for b in PAD.to_bytes(4, "little")))
        lines.append(",".join("0x%02x" % b for b in SENTINEL.to_bytes(4, "little")))
    args = [MC, "-disassemble", "-arch=amdgcn", "-mcpu=" + cpu]
    if wave64:
        args.append("-mattr=+wavefrontsize64")
    p = subprocess.run(args, input="\n".join(lines) + "\n", capture_output=True, text=True)
    bad = set()
    for m in re.finditer(r"<stdin>:(\d+):\d+: warning", p.stderr):
        bad.add(int(m.group(1)))
    outs = [l.strip() for l in p.stdout.splitlines() if l.strip() and l.strip() != ".text"]
    res = []
    cur = []
    groups = []
    for l in outs:
        if l == "s_code_end":
            groups.append(cur)
            cur = []
        else:
            cur.append(l)
    assert len(groups) == len(words_list), (len(groups), len(words_list))
    for i, g in enumerate(groups):
        line = 3 * i + 1
        if g and g[-1] == "s_nop 0":
            g = g[:-1]
        if line in bad or len(g) != 1:
            res.append(None)
        else:
            res.append(re.sub(r"\s+", " ", g[0]))
    return res


V = 256
LIT1, LIT2 = 0x00013C00, 0x00003C00


def probes():
    """(encoding, opcode, variant) -> words"""
    P = {}
    for op in range(0x30):
        b = 0x80000000 | op << 23 | 10 << 16
        P[("SOP2", op, "base")] = [b | 40 << 8 | 20]
        P[("SOP2", op, "k0")] = [b | 40 << 8 | 248]
        P[("SOP2", op, "l0")] = [b | 40 << 8 | 255, LIT1]
        P[("SOP2", op, "m0")] = [b | 40 << 8 | 255, LIT2]
        P[("SOP2", op, "k1")] = [b | 248 << 8 | 20]
        P[("SOP2", op, "l1")] = [b | 255 << 8 | 20, LIT1]
        P[("SOP2", op, "m1")] = [b | 255 << 8 | 20, LIT2]
    for op in range(0x1D):
        P[("SOPK", op, "base")] = [0xB0000000 | op << 23 | 10 << 16 | 0x1234]
        P[("SOPK", op, "lit")] = [0xB0000000 | op << 23 | 10 << 16 | 0x1234, LIT1]
    for op in range(0x100):
        b = 0xBE800000 | 10 << 16 | op << 8
        P[("SOP1", op, "base")] = [b | 20]
        P[("SOP1", op, "k0")] = [b | 248]
        P[("SOP1", op, "l0")] = [b | 255, LIT1]
        P[("SOP1", op, "m0")] = [b | 255, LIT2]
    for op in range(0x80):
        b = 0xBF000000 | op << 16
        P[("SOPC", op, "base")] = [b | 40 << 8 | 20]
        P[("SOPC", op, "k0")] = [b | 40 << 8 | 248]
        P[("SOPC", op, "l0")] = [b | 40 << 8 | 255, LIT1]
        P[("SOPC", op, "m0")] = [b | 40 << 8 | 255, LIT2]
        P[("SOPP", op, "base")] = [0xBF800000 | op << 16 | 0x0003]
    for op in range(0x100):
        b = 0xF4000000 | op << 18 | 16 << 6 | 10
        P[("SMEM", op, "base")] = [b, 0x7D << 25 | 0x24]
        P[("SMEM", op, "soff")] = [b, 30 << 25 | 0x24]
    # VALU
    for op in range(0x3F):
        b = op << 25 | 10 << 17 | 40 << 9
        P[("VOP2", op, "base")] = [b | (V + 20)]
        P[("VOP2", op, "k0")] = [b | 248]
        P[("VOP2", op, "l0")] = [b | 255, LIT1]
        P[("VOP2", op, "m0")] = [b | 255, LIT2]
        P[("VOP2", op, "s0")] = [b | 20]
    for op in range(0x100):
        b = 0x7E000000 | 10 << 17 | op << 9
        P[("VOP1", op, "base")] = [b | (V + 20)]
        P[("VOP1", op, "k0")] = [b | 248]
        P[("VOP1", op, "l0")] = [b | 255, LIT1]
        P[("VOP1", op, "m0")] = [b | 255, LIT2]
        P[("VOP1", op, "s0")] = [b | 20]
        b = 0x7C000000 | op << 17 | 40 << 9
        P[("VOPC", op, "base")] = [b | (V + 20)]
        P[("VOPC", op, "k0")] = [b | 248]
        P[("VOPC", op, "l0")] = [b | 255, LIT1]
        P[("VOPC", op, "m0")] = [b | 255, LIT2]
        P[("VOPC", op, "s0")] = [b | 20]
    for op in range(0x400):
        d0 = 0xD4000000 | op << 16 | 10
        srcs = [V + 20, V + 40, V + 60]

        def d1(s, neg=0, omod=0):
            return s[0] | s[1] << 9 | s[2] << 18 | omod << 27 | neg << 29
        P[("VOP3", op, "base")] = [d0, d1(srcs)]
        P[("VOP3", op, "sg")] = [d0, d1([20, 40, 60])]
        P[("VOP3", op, "sdst")] = [d0 | 30 << 8, d1(srcs)]
        P[("VOP3", op, "clamp")] = [d0 | 1 << 15, d1(srcs)]
        P[("VOP3", op, "omod")] = [d0, d1(srcs, omod=1)]
        for i in range(3):
            P[("VOP3", op, "neg%d" % i)] = [d0, d1(srcs, neg=1 << i)]
            P[("VOP3", op, "abs%d" % i)] = [d0 | 1 << (8 + i), d1(srcs)]
            P[("VOP3", op, "opsel%d" % i)] = [d0 | 1 << (11 + i), d1(srcs)]
            for k, w in (("k", [248]), ("l", [255, LIT1]), ("m", [255, LIT2])):
                s = list(srcs)
                s[i] = w[0]
                P[("VOP3", op, "%s%d" % (k, i))] = [d0, d1(s)] + w[1:]
        P[("VOP3", op, "opsel3")] = [d0 | 1 << 14, d1(srcs)]
    for op in range(0x80):
        d0 = 0xCC000000 | op << 16 | 10 | 1 << 14
        srcs = [V + 20, V + 40, V + 60]

        def d1p(s, neg=0, osh=3):
            return s[0] | s[1] << 9 | s[2] << 18 | osh << 27 | neg << 29
        P[("VOP3P", op, "base")] = [d0, d1p(srcs)]
        P[("VOP3P", op, "clamp")] = [d0 | 1 << 15, d1p(srcs)]
        for i in range(3):
            P[("VOP3P", op, "neg%d" % i)] = [d0, d1p(srcs, neg=1 << i)]
            P[("VOP3P", op, "opsel%d" % i)] = [d0 | 1 << (11 + i), d1p(srcs)]
            for k, w in (("k", [248]), ("l", [255, LIT1]), ("m", [255, LIT2])):
                s = list(srcs)
                s[i] = w[0]
                P[("VOP3P", op, "%s%d" % (k, i))] = [d0, d1p(s)] + w[1:]
    for op in range(0x100):
        P[("DS", op, "base")] = [0xD8000000 | op << 18, 20 | 40 << 8 | 60 << 16 | 10 << 24]
    for seg, enc in ((0, "FLAT"), (1, "SCRATCH"), (2, "GLOBAL")):
        for op in range(0x80):
            d0 = 0xDC000000 | op << 18 | seg << 14
            P[(enc, op, "base")] = [d0, 20 | 40 << 8 | 0x7D << 16 | 10 << 24]
            P[(enc, op, "saddr")] = [d0, 20 | 40 << 8 | 30 << 16 | 10 << 24]
    for op in range(0x80):
        d0 = 0xE0000000 | op << 18 | 1 << 12
        P[("MUBUF", op, "base")] = [d0, 20 | 10 << 8 | 10 << 16 | 30 << 24]
    return P


def main():
    P = probes()
    keys = list(P)
    out = {}
    for cpu in TARGETS:
        for w64 in (False, True):
            res = run([P[k] for k in keys], cpu, w64)
            tag = cpu + ("w64" if w64 else "")
            for k, r in zip(keys, res):
                out.setdefault("%s/%d/%s" % k, {})[tag] = r
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "probes.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=0, sort_keys=True)
    print("wrote", path, len(out), "probes")


if __name__ == "__main__":
    main()
