#!/usr/bin/env bash
# Does a solve keep its time limit? Runs `roster --time-limit T` on every ladder size and on
# the first instance that overran before (3,000 cases, 1,000 mediators, 500 venues, 2 weeks,
# seed 3) and prints the whole wall time of the process (reading, solving, writing) against
# the limit: within max(10%, 1 s) is kept.
#
#   cargo build --release [--features highs]
#   LIMIT=10 BACKEND=auto scripts/limit-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/mediation-scheduler}
LIMIT=${LIMIT:-10}
BACKEND=${BACKEND:-auto}
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
instance() {
  case $1 in
    S) cp fixtures/week-2026-12-07.json "$WORK/S.json" ;;
    M) "$BIN" generate --cases 200 --mediators 100 --venues 60 --seed 1 >"$WORK/M.json" ;;
    L) "$BIN" generate --cases 600 --mediators 300 --venues 150 --seed 1 >"$WORK/L.json" ;;
    XL) "$BIN" generate --cases 2000 --mediators 400 --venues 200 --seed 1 --weeks 4 >"$WORK/XL.json" ;;
    BIG) "$BIN" generate --cases 3000 --mediators 1000 --venues 500 --weeks 2 --seed 3 >"$WORK/BIG.json" ;;
  esac
}
printf '| instance | backend | limit s | wall s | over by | kept | outcome |\n|---|---|---|---|---|---|---|\n'
for size in ${SIZES:-S M L XL BIG}; do
  instance "$size"
  set +e
  /usr/bin/time -f "%e" -o "$WORK/$size.time" "$BIN" roster "$WORK/$size.json" \
    --time-limit "$LIMIT" --backend "$BACKEND" --format json >"$WORK/$size.out" 2>"$WORK/$size.err"
  rc=$?
  set -e
  wall=$(tail -1 "$WORK/$size.time")
  outcome=$(grep -v '^W[0-9]' "$WORK/$size.err" | tail -1 | cut -c1-90)
  python3 - "$size" "$BACKEND" "$LIMIT" "$wall" "$rc" "$outcome" <<'PY'
import sys
size, backend, limit, wall, rc, outcome = sys.argv[1:]
limit, wall = float(limit), float(wall)
allowed = max(0.10 * limit, 1.0)
over = wall - limit
print(f"| {size} | {backend} | {limit:g} | {wall:.2f} | {over:+.2f} | {'yes' if over <= allowed else 'NO'} | exit {rc}: {outcome} |")
PY
done
