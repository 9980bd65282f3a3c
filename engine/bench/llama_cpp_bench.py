#!/usr/bin/env python3
"""Side-by-side reference for `rocless bench`: llama.cpp's CPU backend (via
llama-cpp-python) on the same prompt bytes, thread count and greedy decode.

    python3 engine/bench/llama_cpp_bench.py MODEL.gguf engine/bench/prompt.txt N_GEN THREADS
Prints one JSON line: prompt tokens, prompt tok/s, decode tok/s, md5 of the
prompt bytes and sha256 of the model.

With LLAMA_NO_EXTRA_BUFTS=1 the model loads with `use_extra_bufts = false`
(no AMX / repacked weight buffers): a llama.cpp built natively on a CPU that
reports AMX segfaults in multi-token batches inside a VM, see
findings/cpu-engine.md.
"""
import hashlib, json, os, sys, time
import numpy as np
import llama_cpp
import llama_cpp.llama_cpp as llama_lib
from llama_cpp import Llama

no_extra = os.environ.get("LLAMA_NO_EXTRA_BUFTS") == "1"
if no_extra:
    _default_params = llama_lib.llama_model_default_params

    def _params():
        p = _default_params()
        p.use_extra_bufts = False
        return p

    llama_lib.llama_model_default_params = _params

model, prompt_path, n_gen, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
reps = int(sys.argv[5]) if len(sys.argv) > 5 else 3
data = open(prompt_path, "rb").read()
sha = hashlib.sha256(open(model, "rb").read()).hexdigest()
llm = Llama(model_path=model, n_ctx=1024, n_threads=threads, n_threads_batch=threads,
            n_batch=512, logits_all=False, verbose=False)
ids = llm.tokenize(data, add_bos=True, special=True)
best_pp = best_tg = 0.0
for _ in range(reps):
    llm.reset()
    t0 = time.perf_counter()
    llm.eval(ids)
    pp = len(ids) / (time.perf_counter() - t0)
    t1 = time.perf_counter()
    for _ in range(n_gen):
        ptr = llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1)
        nxt = int(np.argmax(np.ctypeslib.as_array(ptr, shape=(llm.n_vocab(),))))
        llm.eval([nxt])
    tg = n_gen / (time.perf_counter() - t1)
    best_pp, best_tg = max(best_pp, pp), max(best_tg, tg)
print(json.dumps({"engine": f"llama.cpp (llama-cpp-python {llama_cpp.__version__})",
                  "model_sha256": sha, "prompt_md5": hashlib.md5(data).hexdigest(),
                  "prompt_tokens": len(ids), "gen_tokens": n_gen, "threads": threads,
                  "prompt_tok_per_s": best_pp, "decode_tok_per_s": best_tg,
                  "extra_bufts": not no_extra}))
