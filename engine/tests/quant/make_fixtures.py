#!/usr/bin/env python3
"""Makes engine/tests/quant/dequant.json: a few blocks of every quant type with
the values gguf-py's reference dequantizer (gguf.quants.dequantize) gives.

Real blocks come from the two models' tensors; types absent from them are
quantized from a seeded random vector with gguf.quants.quantize, or (K-quants,
which gguf-py cannot quantize) are random block bytes with sane f16 scales.
Run: pip install gguf numpy; python3 make_fixtures.py models
"""
import json, sys, os
import numpy as np
import gguf
from gguf import GGMLQuantizationType as T
from gguf.constants import GGML_QUANT_SIZES

models = sys.argv[1] if len(sys.argv) > 1 else "models"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dequant.json")
rng = np.random.default_rng(1234)
NBLK = 3
cases = []

def add(name, ty, raw, source):
    bs, ts = GGML_QUANT_SIZES[ty]
    raw = np.asarray(raw, dtype=np.uint8)[: NBLK * ts]
    vals = gguf.quants.dequantize(raw, ty).astype(np.float32).reshape(-1)
    assert vals.size == raw.size // ts * bs
    cases.append({"type": ty.name, "source": source, "hex": raw.tobytes().hex(),
                  "values": [float(v) for v in vals]})

seen = set()
for fname in ["gemma-3-270m-q4_k_m.gguf", "SmolLM2-135M-Instruct.Q4_1.gguf"]:
    r = gguf.GGUFReader(os.path.join(models, fname))
    for t in r.tensors:
        ty = t.tensor_type
        if ty in seen:
            continue
        seen.add(ty)
        raw = np.frombuffer(t.data.tobytes(), dtype=np.uint8)
        bs, ts = GGML_QUANT_SIZES[ty]
        # Take blocks from the middle of the tensor (more typical than row 0).
        nb = raw.size // ts
        start = (nb // 2) * ts
        add(ty.name, ty, raw[start:start + NBLK * ts], f"{fname}:{t.name} block {nb // 2}")

x = rng.standard_normal(256 * NBLK).astype(np.float32)
for ty in [T.F32, T.F16, T.BF16, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0]:
    if ty in seen:
        continue
    q = gguf.quants.quantize(x[: 32 * NBLK] if ty not in (T.F32, T.F16, T.BF16) else x[:8], ty)
    add(ty.name, ty, np.frombuffer(q.tobytes(), dtype=np.uint8), "gguf.quants.quantize(seeded normal)")

def f16b(v):
    return np.frombuffer(np.float16(v).tobytes(), dtype=np.uint8)

for ty in [T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K]:
    if ty in seen:
        continue
    bs, ts = GGML_QUANT_SIZES[ty]
    raw = rng.integers(0, 256, size=NBLK * ts, dtype=np.uint8)
    for b in range(NBLK):
        o = b * ts
        # Place finite f16 scales where each block struct keeps them.
        if ty == T.Q2_K:
            raw[o + 80:o + 82] = f16b(0.01 * (b + 1)); raw[o + 82:o + 84] = f16b(0.003)
        elif ty == T.Q3_K:
            raw[o + 108:o + 110] = f16b(0.02 * (b + 1))
        elif ty in (T.Q4_K, T.Q5_K):
            raw[o:o + 2] = f16b(0.015 * (b + 1)); raw[o + 2:o + 4] = f16b(0.004)
        elif ty == T.Q6_K:
            raw[o + 208:o + 210] = f16b(0.005 * (b + 1))
    add(ty.name, ty, raw, "random block bytes (seeded) with finite scales")

cases.sort(key=lambda c: c["type"])
with open(out, "w") as f:
    json.dump({"generator": "gguf-py " + getattr(gguf, "__version__", "?") + " gguf.quants.dequantize",
               "cases": cases}, f, separators=(",", ":"))
print(out, [c["type"] for c in cases])
