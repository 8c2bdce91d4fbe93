#!/usr/bin/env python3
"""The held-out benchmark set (issue 17): instances nobody tuned on, one run per seed.

    cargo build --release --features highs
    python3 -m pip install highspy            # the peer: plain HiGHS on the exported model
    python3 scripts/heldout-bench.py [--sets M,month,L] [--backends highs,microlp]

Sets (all from `generate`, start Mon 2026-12-07):
  M      --cases 200 --mediators 100 --venues 60            seeds 1-10
  month  --cases 160 --mediators 40  --venues 30 --weeks 4  seeds 1-5   (the busy month)
  L      --cases 600 --mediators 300 --venues 150           seeds 1-5
  big4   --cases 2000 --mediators 400 --venues 200 --weeks 4   seeds 1-3
  big6   --cases 2000 --mediators 400 --venues 200 --weeks 6   seeds 1-3

Each instance is solved once per backend with `roster --time-limit LIMIT --format json`; the
HiGHS run also exports its model (not for big4 and big6, whose models the peer cannot
solve in its cap) (`--export-model`), which the peer solves: HiGHS through
highspy, one thread, gap 0, capped at --peer-cap seconds. `--anytime` also solves each
instance at LIMIT/4 and reports whether the roster at LIMIT is at least as good, and
whether each roster costs less than the greedy warm start it began from (the summary's
`warm_start_objective`). `--busy`
keeps a busy loop running on the second core for the L set (started and stopped here).

Prints one Markdown table per set (every seed, then the median and the spread) and keeps
the raw outputs in --work. Not run by .ci/run.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETS = {
    "M": (["--cases", "200", "--mediators", "100", "--venues", "60"], range(1, 11)),
    "month": (["--cases", "160", "--mediators", "40", "--venues", "30", "--weeks", "4"], range(1, 6)),
    "L": (["--cases", "600", "--mediators", "300", "--venues", "150"], range(1, 6)),
    "big4": (["--cases", "2000", "--mediators", "400", "--venues", "200", "--weeks", "4"],
             range(1, 4)),
    "big6": (["--cases", "2000", "--mediators", "400", "--venues", "200", "--weeks", "6"],
             range(1, 4)),
}
NO_PEER = {"big4", "big6"}

PEER = r"""
import sys, time, highspy
h = highspy.Highs()
h.setOptionValue("output_flag", False)
h.setOptionValue("threads", 1)
h.setOptionValue("mip_rel_gap", 0.0)
h.setOptionValue("time_limit", float(sys.argv[2]))
h.readModel(sys.argv[1])
t = time.time()
h.run()
wall = time.time() - t
info = h.getInfo()
print(f"{h.modelStatusToString(h.getModelStatus())}\t{wall:.3f}\t{info.objective_function_value}\t{info.mip_gap}")
"""


def log(msg):
    print(f"[heldout] {msg}", file=sys.stderr, flush=True)


def solve(binary, problem, backend, limit, export=None):
    peak = tempfile.NamedTemporaryFile(suffix=".rss", delete=False).name
    # Peak resident memory in KiB, from GNU time.
    cmd = ["/usr/bin/time", "-f", "%M", "-o", peak,
           binary, "roster", problem, "--backend", backend, "--time-limit", str(limit),
           "--format", "json", "--max-candidates", "0"]
    if export:
        cmd += ["--export-model", export]
    started = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=limit * 3 + 120)
    wall = time.time() - started
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["?"])[-1][:80], "wall": wall}
    solver = json.loads(out.stdout)["solver"]
    solver["wall"] = wall
    try:
        with open(peak) as f:
            solver["peak_mb"] = int(f.read().split()[-1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    os.unlink(peak)
    return solver


def peer(model, cap):
    try:
        out = subprocess.run([sys.executable, "-c", PEER, model, str(cap)], capture_output=True,
                             text=True, timeout=cap + 120)
    except subprocess.TimeoutExpired:
        return {"status": "killed", "wall": None}
    if out.returncode != 0:
        return {"status": "failed: " + (out.stderr.strip().splitlines() or ["?"])[-1][:60],
                "wall": None}
    # highspy prints its banner on standard output first: the answer is the last line.
    status, wall, objective, gap = out.stdout.strip().splitlines()[-1].split("\t")
    return {"status": status, "wall": float(wall), "objective": float(objective),
            "gap": float(gap)}


def status_of(r):
    if "error" in r:
        return "failed: " + r["error"]
    s = r.get("status", "?")
    if s != "optimal" and r.get("relative_gap") is not None:
        s += f" ({100 * r['relative_gap']:.3f}%)"
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/mediation-scheduler"))
    ap.add_argument("--sets", default="M,month,L")
    ap.add_argument("--seeds", help="only these seeds, e.g. 1,7 (default: the set's)")
    ap.add_argument("--backends", default="highs,microlp")
    ap.add_argument("--limit", type=float, default=60)
    ap.add_argument("--peer-cap", type=float, default=120)
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--anytime", action="store_true")
    ap.add_argument("--busy", action="store_true", help="a busy loop on the second core for L")
    ap.add_argument("--work", default=None)
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="heldout-")
    os.makedirs(work, exist_ok=True)
    backends = args.backends.split(",")
    have_peer = not args.no_peer
    if have_peer:
        try:
            subprocess.run([sys.executable, "-c", "import highspy"], check=True,
                           capture_output=True)
        except subprocess.CalledProcessError:
            log("highspy is missing (python3 -m pip install highspy): no peer")
            have_peer = False
    started = time.time()
    for name in args.sets.split(","):
        flags, seeds = SETS[name]
        if args.seeds:
            seeds = [int(s) for s in args.seeds.split(",")]
        busy = None
        if args.busy and name == "L":
            busy = subprocess.Popen(["taskset", "-c", "1", sys.executable, "-c", "while True: pass"])
            log("busy loop on core 1 started")
        rows = []
        try:
            for seed in seeds:
                problem = os.path.join(work, f"{name}-{seed}.json")
                if not os.path.exists(problem):
                    subprocess.run([args.bin, "generate", *flags, "--seed", str(seed), "--out",
                                    problem], check=True, capture_output=True)
                model = os.path.join(work, f"{name}-{seed}.lp")
                results = {}
                for b in backends:
                    export = model if (have_peer and b == "highs" and name not in NO_PEER) else None
                    log(f"{name} seed {seed}: {b}, {args.limit:g} s")
                    results[b] = solve(args.bin, problem, b, args.limit, export)
                    if args.anytime:
                        quarter = solve(args.bin, problem, b, args.limit / 4)
                        results[b]["quarter"] = quarter
                if have_peer and os.path.exists(model):
                    log(f"{name} seed {seed}: peer, cap {args.peer_cap:g} s")
                    results["peer"] = peer(model, args.peer_cap)
                rows.append((seed, results))
        finally:
            if busy:
                busy.kill()
                busy.wait()
                log("busy loop stopped")
        report(name, flags, rows, backends, args)
    log(f"whole set: {time.time() - started:.0f} s; raw files in {work}")


def report(name, flags, rows, backends, args):
    print(f"\n### {name}: `generate {' '.join(flags)} --seed N`, limit {args.limit:g} s"
          + (", second core busy" if args.busy and name == "L" else "") + "\n")
    head = ["seed"]
    for b in backends:
        head += [f"{b} status", f"{b} wall s", f"{b} objective", f"{b} peak MB"]
        if args.anytime:
            head += [f"{b} at T/4 no better", f"{b} below warm start at T, T/4"]
    head += ["peer", "peer s", "HiGHS / peer"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    walls = {b: [] for b in backends}
    gaps = {b: [] for b in backends}
    peaks = {b: [] for b in backends}
    optimal = {b: 0 for b in backends}
    ratios = []
    for seed, r in rows:
        cells = [str(seed)]
        for b in backends:
            x = r.get(b, {})
            cells += [status_of(x), f"{x.get('wall', 0):.1f}",
                      f"{x['objective']:.0f}" if x.get("objective") is not None else "–",
                      f"{x['peak_mb']:.0f}" if x.get("peak_mb") is not None else "–"]
            if "error" not in x:
                walls[b].append(x["wall"])
                if x.get("relative_gap") is not None:
                    gaps[b].append(100 * x["relative_gap"])
                if x.get("peak_mb") is not None:
                    peaks[b].append(x["peak_mb"])
                optimal[b] += x.get("status") == "optimal"
            if args.anytime:
                q = x.get("quarter", {})
                ok = (x.get("objective") is not None and q.get("objective") is not None
                      and x["objective"] <= q["objective"] + 1e-6)
                cells.append("yes" if ok else f"NO ({q.get('objective')})")

                def below(r):
                    w, o = r.get("warm_start_objective"), r.get("objective")
                    if w is None or o is None:
                        return "–"
                    return f"yes (−{w - o:.0f})" if o < w else "NO"
                cells.append(f"{below(x)}, {below(q)}")
        p = r.get("peer")
        if p:
            cells += [p["status"], f"{p['wall']:.1f}" if p.get("wall") else "–"]
            h = r.get("highs", {})
            if p.get("wall") and "error" not in h and h.get("wall"):
                ratio = h["wall"] / p["wall"]
                ratios.append(ratio)
                cells.append(f"{ratio:.2f}")
            else:
                cells.append("–")
        else:
            cells += ["not run", "–", "–"]
        print("| " + " | ".join(cells) + " |")
    print()
    for b in backends:
        w = walls[b]
        if w:
            print(f"- {b}: {optimal[b]} of {len(rows)} proven optimal; wall median "
                  f"{statistics.median(w):.1f} s, spread {min(w):.1f}–{max(w):.1f} s")
        g = gaps[b]
        if g:
            med = statistics.median(g)
            print(f"- {b}: gap median {med:.3f}%, spread {min(g):.3f}–{max(g):.3f}%"
                  f" (largest over median: {max(g) / med:.2f})" if med > 0 else
                  f"- {b}: gap median 0%, largest {max(g):.3f}%")
        if peaks[b]:
            print(f"- {b}: peak memory median {statistics.median(peaks[b]):.0f} MB, largest "
                  f"{max(peaks[b]):.0f} MB")
    if ratios:
        print(f"- HiGHS / peer: median {statistics.median(ratios):.2f}, spread "
              f"{min(ratios):.2f}–{max(ratios):.2f} (below 0.5 on "
              f"{sum(r <= 0.5 for r in ratios)} of {len(ratios)})")


if __name__ == "__main__":
    main()
