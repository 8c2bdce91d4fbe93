#!/usr/bin/env bash
# What `roster --out` costs beyond the solve, on the XL rung (2,000 cases, 4 weeks) or any
# instance: the same roster command with and without --out, peak RSS and wall time of each
# from GNU time, and the size of what --out wrote. The solve is the same in both runs
# (same instance, backend and limit); --out adds the suggested fixes, the page, the
# calendars and the invitations.
#
#   cargo build --release [--features highs]
#   scripts/render-cost.sh                      # XL, 60 s limit, backend auto
#   INSTANCE=fixtures/week-2026-12-07.json LIMIT=30 scripts/render-cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/mediation-scheduler}
LIMIT=${LIMIT:-60}
BACKEND=${BACKEND:-auto}
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
if [ -z "${INSTANCE:-}" ]; then
  INSTANCE="$WORK/xl.json"
  "$BIN" generate --cases 2000 --mediators 400 --venues 200 --seed 1 --weeks 4 >"$INSTANCE"
fi
run() { # name, extra args...
  local name=$1; shift
  "$TIME" -f "%e %M" -o "$WORK/$name.time" "$BIN" roster "$INSTANCE" --time-limit "$LIMIT" \
    --backend "$BACKEND" --format json "$@" >"$WORK/$name.json" 2>"$WORK/$name.err"
  read -r wall kb <"$WORK/$name.time"
  echo "$name $wall $kb"
}
plain=$(run plain)
out=$(run out --out "$WORK/out")
read -r _ wall_p kb_p <<<"$plain"
read -r _ wall_o kb_o <<<"$out"
files=$(find "$WORK/out" -type f | wc -l)
bytes=$(du -sb "$WORK/out" | cut -f1)
page=$(stat -c %s "$WORK/out/roster.html")
printf '| run | wall s | peak MB |\n|---|---|---|\n'
printf '| roster | %s | %d |\n' "$wall_p" $((kb_p / 1024))
printf '| roster --out | %s | %d |\n' "$wall_o" $((kb_o / 1024))
printf '\n--out wrote %s files, %s bytes (roster.html %s bytes); peak RSS %+d MB\n' \
  "$files" "$bytes" "$page" $(((kb_o - kb_p) / 1024))
grep -h "fixes\|meetings" "$WORK"/out.err | tail -2 || true
echo "work dir: $WORK"
