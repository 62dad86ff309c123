#!/usr/bin/env python3
"""Onyx against ONNX Runtime on the same models, side by side in one run.

For each model and thread count, runs `onyx bench --json` and ONNX Runtime's harness
(a Node.js script that prints one JSON line with median_ms) in turn, ROUNDS times,
alternating, and prints a Markdown table of the medians and the Onyx / ORT ratio,
with the geometric mean of the ratios per thread count. A second table compares,
from the same runs, session creation (each process's one load of the model, median
over the rounds; neither side's one-time process set-up) and peak resident memory
(ORT's less its baseline before any session: the Node.js process with ORT loaded).

  bench/compare_ort.py --onyx build/onyx --ort-bench PATH/bench.js \\
      --models DIR/resnet50.onnx DIR/mobilenetv2.onnx --threads 1 2 [--gflops FILE.json]

--gflops takes a JSON list of {"name": ..., "gflops": ...} records (the zoo
generator's report) to add GFLOP/s columns. Python's standard library only.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys


def run_json(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--onyx", required=True)
    ap.add_argument("--ort-bench", required=True)
    ap.add_argument("--models", nargs="+", required=True)
    ap.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--gflops")
    args = ap.parse_args()

    gflops = {}
    if args.gflops:
        with open(args.gflops) as f:
            data = json.load(f)
        for rec in data if isinstance(data, list) else data.get("models", []):
            if rec.get("gflops"):
                gflops[rec["name"]] = rec["gflops"]

    rows, ratios = [], {t: [] for t in args.threads}
    load_rows = []
    for model in args.models:
        name = os.path.splitext(os.path.basename(model))[0]
        for t in args.threads:
            onyx, ort = [], []
            for _ in range(args.rounds):
                onyx.append(run_json([args.onyx, "bench", model, "--threads", str(t),
                                      "--iters", str(args.iters), "--json"]))
                ort.append(run_json(["node", args.ort_bench, model, "--threads", str(t),
                                     "--iters", str(args.iters)]))

            def median(runs, key):
                return statistics.median(key(r) for r in runs)

            a, b = median(onyx, lambda r: r["median_ms"]), median(ort, lambda r: r["median_ms"])
            load_a, load_b = median(onyx, lambda r: r["load_ms"]), median(ort, lambda r: r["load_ms"])
            rss_a = median(onyx, lambda r: r["peak_rss_mb"])
            rss_b = median(ort, lambda r: r["peak_rss_mb"] - r["baseline_rss_mb"])
            load_rows.append([name, str(t), f"{load_a:.1f}", f"{load_b:.1f}", f"{load_a / load_b:.2f}",
                              f"{rss_a:.0f}", f"{rss_b:.0f}", f"{rss_a / rss_b:.2f}"])
            ratios[t].append(a / b)
            row = [name, str(t), f"{a:.2f}", f"{b:.2f}", f"{a / b:.2f}"]
            if name in gflops:
                row += [f"{gflops[name] / a * 1e3:.0f}", f"{gflops[name] / b * 1e3:.0f}"]
            rows.append(row)
            print(" | ".join(row), file=sys.stderr)

    header = ["model", "threads", "Onyx ms", "ORT ms", "Onyx / ORT"]
    if gflops:
        header += ["Onyx GFLOP/s", "ORT GFLOP/s"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row + [""] * (len(header) - len(row))) + " |")
    for t, r in ratios.items():
        print(f"\ngeometric mean of Onyx / ORT at {t} thread(s): "
              f"{math.exp(sum(map(math.log, r)) / len(r)):.2f}")

    header = ["model", "threads", "Onyx load ms", "ORT load ms", "Onyx / ORT",
              "Onyx peak RSS MB", "ORT peak RSS MB (less baseline)", "Onyx / ORT"]
    print("\n| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in load_rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
