#!/usr/bin/env bash
# perf-ladder.sh: times the release CLI on the instance ladder with both backends and prints a
# markdown table of medians (one row per size × backend). See docs/performance.md.
#
#   S   fixtures/week-2026-12-07.json              30 cases,  25 mediators,  30 venues, 1 week
#   M   generate --cases 200  --mediators 100 --venues 60  --seed 1
#   L   generate --cases 600  --mediators 300 --venues 150 --seed 1
#   XL  generate --cases 2000 --mediators 400 --venues 200 --seed 1 --weeks 4
#       (start Mon 2026-12-07, publication 2026-11-30)
#
# Each size × backend runs `roster FILE --backend B --time-limit T --format json` RUNS times
# under GNU time (`/usr/bin/time -v`; on Debian/Ubuntu: `apt-get install -y time`) and a hard
# `timeout`. A run that fails, is killed or times out is reported as such; the script goes on.
#
# Needs: cargo, python3, GNU time. Runs one solve at a time.
#
# Environment (all optional):
#   SIZES="S M L XL"          sizes to run
#   BACKENDS="microlp highs"  backends to run
#   SKIP="M/microlp XL/microlp"  size/backend pairs to skip (reported as skipped)
#   RUNS=3                    runs per size × backend
#   LIMIT_S=60 LIMIT_M=60 LIMIT_L=60 LIMIT_XL=60   --time-limit per size, in seconds
#   GRACE=120                 hard timeout = time limit + GRACE seconds (then SIGTERM, +10 s KILL)
#   WORK=DIR                  keep instances and raw outputs here (default: a fresh temp dir)
#   MEM_LIMIT_MB=N            cap each run's address space (`ulimit -v`): a run that needs more
#                             fails (reported) instead of pushing the machine into the OOM killer
#   NO_BUILD=1                skip `cargo build --release --features highs`
#   TABLE_ONLY=1              only print the table from the raw outputs already in WORK
#
# Usage: scripts/perf-ladder.sh [> ladder.md]   (progress goes to stderr, the table to stdout)
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BIN="$ROOT/target/release/mediation-scheduler"
SIZES=${SIZES:-"S M L XL"}
BACKENDS=${BACKENDS:-"microlp highs"}
SKIP=${SKIP:-}
RUNS=${RUNS:-3}
GRACE=${GRACE:-120}
if [ -n "${TABLE_ONLY:-}" ] && [ -z "${WORK:-}" ]; then
    echo "[perf-ladder] error: TABLE_ONLY needs WORK" >&2; exit 1
fi
WORK=${WORK:-$(mktemp -d -t perf-ladder.XXXXXX)}
mkdir -p "$WORK/runs"

log() { echo "[perf-ladder] $*" >&2; }
die() { log "error: $*"; exit 1; }

[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing: apt-get install -y time"
command -v python3 >/dev/null || die "python3 is missing"
command -v timeout >/dev/null || die "timeout (coreutils) is missing"

if [ -z "${TABLE_ONLY:-}" ] && [ -z "${NO_BUILD:-}" ]; then
    log "building: cargo build --release --features highs"
    cargo build --release --features highs >&2 || die "release build failed"
fi
[ -n "${TABLE_ONLY:-}" ] || [ -x "$BIN" ] || die "$BIN is missing (unset NO_BUILD to build it)"

limit_of() { local v="LIMIT_$1"; case $1 in XL) echo "${!v:-60}" ;; *) echo "${!v:-60}" ;; esac; }

instance() {
    local size=$1 file="$WORK/$1.json"
    if [ ! -s "$file" ]; then
        case $size in
            S) cp "$ROOT/fixtures/week-2026-12-07.json" "$file" ;;
            M) "$BIN" generate --cases 200 --mediators 100 --venues 60 --seed 1 >"$file" ;;
            L) "$BIN" generate --cases 600 --mediators 300 --venues 150 --seed 1 >"$file" ;;
            XL) "$BIN" generate --cases 2000 --mediators 400 --venues 200 --seed 1 --weeks 4 \
                    --start 2026-12-07 --publication 2026-11-30 >"$file" ;;
            *) log "unknown size $size"; return 1 ;;
        esac || { log "could not generate $size"; rm -f "$file"; return 1; }
    fi
    echo "$file"
}

for size in $SIZES; do
    [ -n "${TABLE_ONLY:-}" ] && break
    file=$(instance "$size") || continue
    limit=$(limit_of "$size")
    for backend in $BACKENDS; do
        key="$size/$backend"
        if [[ " $SKIP " == *" $key "* ]]; then
            log "$key: skipped (SKIP)"
            echo skipped >"$WORK/runs/${size}_${backend}.skipped"
            continue
        fi
        for i in $(seq 1 "$RUNS"); do
            base="$WORK/runs/${size}_${backend}_$i"
            log "$key run $i/$RUNS (time limit $limit s, hard timeout $((limit + GRACE)) s)"
            (
                [ -n "${MEM_LIMIT_MB:-}" ] && ulimit -v "$((MEM_LIMIT_MB * 1024))"
                exec /usr/bin/time -v -o "$base.time" \
                    timeout -k 10 "$((limit + GRACE))" \
                    "$BIN" roster "$file" --backend "$backend" --time-limit "$limit" \
                    --format json
            ) >"$base.json" 2>"$base.err"
            echo $? >"$base.rc"
            log "$key run $i: exit $(cat "$base.rc"), $(grep -E 'Elapsed|Maximum resident' "$base.time" | sed 's/^\s*//' | paste -sd';')"
        done
    done
done

log "raw outputs in $WORK"
python3 - "$WORK" "$SIZES" "$BACKENDS" "$RUNS" <<'PY'
import json, os, re, statistics, sys

work, sizes, backends, runs = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), int(sys.argv[4])
limits = {s: float(os.environ.get(f"LIMIT_{s}", 90 if s == "XL" else 60)) for s in sizes}

def wall(text):
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    if not m:
        return None
    secs = 0.0
    for part in m.group(1).split(":"):
        secs = secs * 60 + float(part)
    return secs

def rss_mb(text):
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    return int(m.group(1)) / 1024 if m else None

def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None

def fmt(x, spec):
    return "—" if x is None else format(x, spec)

cols = ["size", "backend", "status (runs)", "cands", "vars", "cons", "build s", "warm s",
        "solve s", "wall s", "max wall s", "objective", "best bound", "gap", "gap %",
        "peak MB", "limit kept"]
print("| " + " | ".join(cols) + " |")
print("|" + "|".join("---" for _ in cols) + "|")
for size in sizes:
    for backend in backends:
        base = f"{work}/runs/{size}_{backend}"
        if os.path.exists(base + ".skipped"):
            print(f"| {size} | {backend} | skipped |" + " |" * (len(cols) - 3))
            continue
        rows, statuses, walls, rss = [], [], [], []
        for i in range(1, runs + 1):
            rc_text = read(f"{base}_{i}.rc").strip()
            if not rc_text:
                continue
            rc = int(rc_text)
            t = read(f"{base}_{i}.time")
            walls.append(wall(t))
            rss.append(rss_mb(t))
            solver = None
            if rc == 0:
                try:
                    solver = json.loads(read(f"{base}_{i}.json"))["solver"]
                except (ValueError, KeyError, TypeError):
                    solver = None
            if solver is not None:
                rows.append(solver)
                statuses.append(solver.get("status", "?"))
            elif any(m in read(f"{base}_{i}.err") for m in ("memory allocation", "bad_alloc")):
                statuses.append("out of memory")
            elif rc == 124:
                statuses.append("killed (hard timeout)")
            elif rc == 137 or "signal 9" in t:
                statuses.append("killed (SIGKILL: hard timeout or OOM)")
            else:
                err = read(f"{base}_{i}.err").strip().splitlines()
                statuses.append(f"failed rc={rc}" + (f": {err[-1][:60]}" if err else ""))
        if not statuses:
            print(f"| {size} | {backend} | not run |" + " |" * (len(cols) - 3))
            continue
        counts = {}
        for s in statuses:
            counts[s] = counts.get(s, 0) + 1
        status = ", ".join(f"{s} ×{n}" for s, n in counts.items())
        fallback = sum(1 for r in rows if r.get("greedy_fallback"))
        if fallback:
            status += f" (greedy roster, no incumbent ×{fallback})"
        g = lambda k: med([r.get(k) for r in rows])
        rel = med([r.get("relative_gap") for r in rows])
        max_wall = max((w for w in walls if w is not None), default=None)
        limit = limits[size]
        kept = "—" if max_wall is None else (
            "yes" if max_wall <= limit + max(0.1 * limit, 1.0) else "no")
        cells = [size, backend, status,
                 fmt(g("candidates"), ".0f"), fmt(g("variables"), ".0f"),
                 fmt(g("constraints"), ".0f"),
                 fmt(g("build_seconds"), ".3f"), fmt(g("warm_start_seconds"), ".3f"),
                 fmt(g("solve_seconds"), ".3f"), fmt(med(walls), ".2f"), fmt(max_wall, ".2f"),
                 fmt(g("objective"), ".0f"), fmt(g("best_bound"), ".0f"),
                 fmt(g("absolute_gap"), ".0f"), fmt(None if rel is None else 100 * rel, ".3f"),
                 fmt(med(rss), ".0f"), kept]
        print("| " + " | ".join(cells) + " |")
PY
