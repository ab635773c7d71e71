"""
The neural bigram's training step in PyTorch on one CPU thread: the CPU baseline that
bench/cpuBigram.ts sets our CPU step beside.

  python3 bench/pytorch_bigram.py --input names.txt [--batches 0,32,512,4096] [--rounds 5] [--json]

Same data as ours (one word per line, blank lines skipped; token 0 starts and ends every
word, the other symbols sorted by code point) and the same step: logits = W[x] (a row
gather), cross-entropy (softmax and mean NLL of every row), + reg * mean(W**2), backward,
W -= lr * grad, float32 weights. Batch 0 is the full batch; B > 0 draws B examples with
torch.randint each step, inside the timed loop (ours draws its batch inside its step too).
From W = 0, so the first loss is ln V and the losses after the first steps check that both
sides compute the same function. Per size: ms per step = the median over rounds of the mean
of K steps (K about 2M examples' worth, 1 to 200 steps), after a warm-up; wall time and the
process's CPU time (steadier when other work shares the cores).
"""
import argparse
import json
import re
import statistics
import time

import torch
import torch.nn.functional as F


def read_examples(path):
    with open(path, encoding="utf-8") as f:
        words = [w.strip() for w in re.split(r"\r\n|\r|\n", f.read())]  # as src/data/dataset.ts splits
    words = [w for w in words if w]
    symbols = sorted(set("".join(words)))
    index = {s: i + 1 for i, s in enumerate(symbols)}
    xs, ys = [], []
    for w in words:
        prev = 0
        for ch in w:
            xs.append(prev)
            ys.append(index[ch])
            prev = index[ch]
        xs.append(prev)
        ys.append(0)
    return torch.tensor(xs), torch.tensor(ys), len(symbols) + 1


def steps_per_sample(n):
    return max(1, min(200, round(2_000_000 / n)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--input", required=True)
    p.add_argument("--batches", default="0,32,512,4096", help="0 is the full batch")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--lr", type=float, default=50.0)
    p.add_argument("--reg", type=float, default=0.01)
    p.add_argument("--check-steps", type=int, default=5)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(1)
    xs, ys, V = read_examples(a.input)
    N = len(xs)
    g = torch.Generator().manual_seed(1)

    def step(W, B):
        if B > 0:
            ix = torch.randint(0, N, (B,), generator=g)
            x, y = xs[ix], ys[ix]
        else:
            x, y = xs, ys
        loss = F.cross_entropy(W[x], y) + a.reg * (W**2).mean()
        W.grad = None
        loss.backward()
        with torch.no_grad():
            W -= a.lr * W.grad
        return loss.item()

    # The same function as ours: full-batch losses from W = 0.
    W = torch.zeros((V, V), requires_grad=True)
    check = [step(W, 0) for _ in range(a.check_steps)]

    results = []
    for B in [int(b) for b in a.batches.split(",")]:
        W = torch.zeros((V, V), requires_grad=True)
        K = steps_per_sample(B or N)
        for _ in range(K):
            step(W, B)  # warm-up
        samples, cpu = [], []
        for _ in range(a.rounds):
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in range(K):
                step(W, B)
            samples.append((time.perf_counter() - t0) * 1000 / K)
            cpu.append((time.process_time() - c0) * 1000 / K)
        results.append({
            "batch": B, "ms": statistics.median(samples), "cpuMs": statistics.median(cpu),
            "samples": samples, "cpuSamples": cpu, "stepsPerSample": K,
        })

    report = {
        "runtime": f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread",
        "N": N, "V": V, "lr": a.lr, "reg": a.reg, "checkLosses": check, "results": results,
    }
    if a.json:
        print(json.dumps(report))
    else:
        print(f"{report['runtime']}; N {N}, V {V}; losses from W = 0: {', '.join(f'{l:.6f}' for l in check)}")
        for r in results:
            print(f"batch {r['batch'] or 'full':>6}: {r['ms']:.3f} ms/step, CPU {r['cpuMs']:.3f} ms/step (median of {a.rounds} x {r['stepsPerSample']} steps)")


if __name__ == "__main__":
    main()
