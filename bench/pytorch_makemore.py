"""
makemore's mlp and bigram trained in PyTorch (as shared/specs/makemore.md describes
makemore.py), to check our training against it:

  python3 bench/pytorch_makemore.py --input names.txt [--type mlp|bigram] [--seed 3407] [--steps 2000]
      makemore's recipe with PyTorch's own draws: torch.manual_seed, the split by
      torch.randperm, PyTorch's default init, batches from a torch.Generator seeded by one
      draw. Prints the test loss every 500 steps (and at the last).
  python3 bench/pytorch_makemore.py --replay replay.json
      our run (bench/makemoreReplay.ts: our split, initial weights and minibatches) through
      PyTorch's model, loss and AdamW. Prints both losses step by step and both test losses,
      and the largest difference of the step losses over the first 100 steps and over all.

The model: mlp = Embedding(V+1, 64) read at the current token and the 15 before it (the
blank index V before the start) → Linear(16·64, 64) → tanh → Linear(64, V); bigram = a V×V
logit table from zero. Loss: cross-entropy over the targets that are not -1. AdamW(lr 5e-4,
betas 0.9/0.99, eps 1e-8, weight decay 0.01), batches of 32 words, one CPU thread. The test
loss here is the mean NLL over every target of the test words (the figure our command line
prints); makemore.py's own mean of 10 batch means differs from it by about 1e-4.
"""
import argparse
import json
import re
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def read_words(path):
    with open(path, encoding="utf-8") as f:
        words = [w.strip() for w in re.split(r"\r\n|\r|\n", f.read())]
    return [w for w in words if w]


def encode(words, index, T):
    """x = [0, c1..cL, 0...], y = [c1..cL, 0, -1...]: makemore's examples."""
    X = torch.zeros(len(words), T, dtype=torch.long)
    Y = torch.full((len(words), T), -1, dtype=torch.long)
    for n, w in enumerate(words):
        c = torch.tensor([index[ch] for ch in w], dtype=torch.long)
        X[n, 1:1 + len(w)] = c
        Y[n, :len(w)] = c
        Y[n, len(w)] = 0
    return X, Y


class Mlp(nn.Module):
    def __init__(self, V, T, C=64, H=64):
        super().__init__()
        self.V, self.T = V, T
        self.wte = nn.Embedding(V + 1, C)
        self.fc = nn.Linear(T * C, H)
        self.head = nn.Linear(H, V)

    def forward(self, idx):
        window = []
        for _ in range(self.T):
            window.append(self.wte(idx))
            idx = torch.roll(idx, 1, 1)
            idx[:, 0] = self.V  # the blank, before the start
        return self.head(torch.tanh(self.fc(torch.cat(window, -1))))

    def load(self, p):
        V, T = self.V, self.T
        C = self.wte.weight.shape[1]
        with torch.no_grad():
            self.wte.weight.copy_(torch.tensor(p["wte"]["data"]).view(V + 1, C))
            # Ours are stored (in, out); PyTorch's Linear weight is (out, in).
            self.fc.weight.copy_(torch.tensor(p["mlp.fc.w"]["data"]).view(T * C, -1).t())
            self.fc.bias.copy_(torch.tensor(p["mlp.fc.b"]["data"]))
            self.head.weight.copy_(torch.tensor(p["lm_head.w"]["data"]).view(-1, V).t())
            self.head.bias.copy_(torch.tensor(p["lm_head.b"]["data"]))


class Bigram(nn.Module):
    def __init__(self, V, T):
        super().__init__()
        self.V = V
        self.logits = nn.Parameter(torch.zeros(V, V))

    def forward(self, idx):
        return self.logits[idx]

    def load(self, p):
        with torch.no_grad():
            self.logits.copy_(torch.tensor(p["logits.table"]["data"]).view(self.V, self.V))


def make_model(kind, V, T):
    return Mlp(V, T) if kind == "mlp" else Bigram(V, T)


def loss_of(model, X, Y):
    logits = model(X)
    return F.cross_entropy(logits.view(-1, logits.shape[-1]), Y.view(-1), ignore_index=-1)


def test_loss(model, X, Y):
    with torch.no_grad():
        return loss_of(model, X, Y).item()


def adamw(model, lr=5e-4, weight_decay=0.01, betas=(0.9, 0.99), eps=1e-8):
    return torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay, betas=betas, eps=eps)


def marks(steps):
    return [s for s in range(500, steps + 1, 500)] + ([steps] if steps % 500 else [])


def own_run(args):
    torch.manual_seed(args.seed)
    words = read_words(args.input)
    symbols = sorted(set("".join(words)))
    index = {s: i + 1 for i, s in enumerate(symbols)}
    V, T = len(symbols) + 1, max(len(w) for w in words) + 1
    n_test = min(1000, int(len(words) * 0.1))
    rp = torch.randperm(len(words)).tolist()
    train = [words[i] for i in rp[:-n_test]]
    test = [words[i] for i in rp[-n_test:]]
    Xtr, Ytr = encode(train, index, T)
    Xte, Yte = encode(test, index, T)
    model = make_model(args.type, V, T)
    opt = adamw(model)
    batches = torch.Generator()
    batches.manual_seed(int(torch.empty((), dtype=torch.int64).random_().item()))
    print(f"makemore's {args.type} in PyTorch {torch.__version__}: {len(train)} training words, {len(test)} test words, "
          f"{sum(p.numel() for p in model.parameters())} parameters, seed {args.seed}")
    at = set(marks(args.steps))
    t0 = time.time()
    for step in range(1, args.steps + 1):
        b = torch.randint(len(Xtr), (32,), generator=batches)
        loss = loss_of(model, Xtr[b], Ytr[b])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step in at:
            print(f"step {step}: loss {loss.item():.4f}, test loss {test_loss(model, Xte, Yte):.4f} ({time.time() - t0:.0f} s)", flush=True)


def replay(args):
    with open(args.replay, encoding="utf-8") as f:
        run = json.load(f)
    index = {s: i for i, s in enumerate(run["symbols"])}
    V, T = len(run["symbols"]), run["T"]
    Xtr, Ytr = encode(run["train"], index, T)
    Xte, Yte = encode(run["test"], index, T)
    model = make_model(run["type"], V, T)
    model.load(run["params"])
    opt = adamw(model, run["lr"], run["weightDecay"], (run["beta1"], run["beta2"]), run["eps"])
    ours = {m["step"]: m["loss"] for m in run["testLosses"]}
    print(f"our run of makemore's {run['type']} (seed {run['seed']}, {run['steps']} steps) through PyTorch {torch.__version__}")
    worst_early = worst = 0.0
    for step, batch in enumerate(run["batches"], 1):
        b = torch.tensor(batch, dtype=torch.long)
        loss = loss_of(model, Xtr[b], Ytr[b])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        d = abs(loss.item() - run["losses"][step - 1])
        worst = max(worst, d)
        if step <= 100:
            worst_early = max(worst_early, d)
        if step in ours:
            print(f"step {step}: loss {loss.item():.6f} (ours {run['losses'][step - 1]:.6f}), "
                  f"test loss {test_loss(model, Xte, Yte):.4f} (ours {ours[step]:.4f})", flush=True)
    print(f"largest |PyTorch - ours| of a step's loss: {worst_early:.2e} over steps 1-100, {worst:.2e} over all {run['steps']}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--input", default="names.txt")
    p.add_argument("--type", choices=["mlp", "bigram"], default="mlp")
    p.add_argument("--seed", type=int, default=3407)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--replay", help="a run written by bench/makemoreReplay.ts")
    args = p.parse_args()
    torch.set_num_threads(1)
    if args.steps < 1:
        p.error(f"--steps must be at least 1, got {args.steps}")
    replay(args) if args.replay else own_run(args)


if __name__ == "__main__":
    main()
