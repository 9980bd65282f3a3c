#!/usr/bin/env python3
"""Record llama.cpp's CPU forward pass (via llama-cpp-python) for the engine's
forward-pass tests: per model, 4 prompts (token ids from llama.cpp's own
tokenizer, so the test does not depend on ours) × 32 greedy tokens, the
top-20 logits of the first step and the top-5 of every step.

Run once by hand (not in CI):
    pip install llama-cpp-python numpy
    python3 engine/tests/reference/make_reference.py models
"""
import json, os, sys, platform
import numpy as np
import llama_cpp
from llama_cpp import Llama

MODELS = sys.argv[1] if len(sys.argv) > 1 else "models"
OUT = os.path.dirname(os.path.abspath(__file__))
N = 32
PROMPTS = [
    "The capital of France is",
    "Here is a short poem about the sea:\n",
    "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n",
    "Question: Why is the sky blue?\nAnswer:",
]

for fname in ["gemma-3-270m-q4_k_m.gguf", "SmolLM2-135M-Instruct.Q4_1.gguf"]:
    path = os.path.join(MODELS, fname)
    llm = Llama(model_path=path, n_ctx=512, n_threads=2, n_batch=1, n_ubatch=1, logits_all=True,
                verbose=False, seed=0)
    cases = []
    for text in PROMPTS:
        llm.reset()
        ids = llm.tokenize(text.encode(), add_bos=True, special=True)
        llm.eval(ids)
        steps = []
        toks = list(ids)
        for s in range(N):
            logits = np.array(llm.scores[len(toks) - 1], dtype=np.float32)
            order = np.argsort(-logits, kind="stable")
            k = 20 if s == 0 else 5
            steps.append({"token": int(order[0]),
                          "top": [[int(i), float(logits[i])] for i in order[:k]]})
            toks.append(int(order[0]))
            llm.eval([int(order[0])])
        cases.append({"prompt": text, "ids": [int(i) for i in ids], "steps": steps})
    out = {
        "model": fname,
        "generator": f"llama-cpp-python {llama_cpp.__version__}, CPU, n_threads=2, greedy, "
                     f"prompt and generation evaluated one token at a time (n_batch=1: the vec_dot path); {platform.machine()}",
        "cases": cases,
    }
    dst = os.path.join(OUT, fname.replace(".gguf", ".json"))
    with open(dst, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
    print(dst, [len(c["ids"]) for c in cases])
