#!/usr/bin/env bash
# cluster.sh: several `serve` replicas sharing one PostgreSQL database, on this machine, for
# a person to try (docs/deploy.md, "Trying it locally").
#
#   scripts/cluster.sh [N]     # N replicas (default 3); stays in the foreground, Ctrl-C stops all
#   scripts/cluster.sh stop    # stops a cluster left running (from another terminal, or after a crash)
#
# What it does: builds the release binary (`cargo build --release`) unless MEDIATION_BIN names
# one; starts a PostgreSQL cluster with scripts/pg.sh in $CLUSTER_DIR/pg; applies the schema
# (`migrate --database-url URL`); starts replica-0 … replica-(N-1), replica-i on
# 127.0.0.1:$((BASE_PORT + i)), each logging to $CLUSTER_DIR/replica-i.log; waits until each
# answers GET /readyz with 200 (at most 60 s); prints the URLs and an example. On Ctrl-C or
# SIGTERM it stops every replica (SIGTERM, then waits for their shutdown grace) and the
# PostgreSQL cluster. The database is kept in $CLUSTER_DIR/pg for the next run; remove the
# directory for a fresh one.
#
# Environment (all optional):
#   MEDIATION_BIN=PATH       the binary to run (no build)
#   CLUSTER_DIR=DIR          where the database, logs and pid files go (default target/cluster)
#   BASE_PORT=8081           replica-i listens on BASE_PORT + i
#   MEDIATION_API_KEYS=…     the replicas' keys (default: demo:demo-key-change-me:read+submit+admin)
#   MEDIATION_SHUTDOWN_GRACE and every other MEDIATION_* setting reach the replicas as usual.
set -euo pipefail

prog=${0##*/}
invoked_from=$PWD
cd "$(dirname "$0")/.."
root=$PWD

die() {
  echo "$prog: $*" >&2
  exit 1
}
usage() {
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
}
# A path given by the user is relative to where they ran the script.
absolute() {
  case "$1" in
    /*) echo "$1" ;;
    *) echo "$invoked_from/$1" ;;
  esac
}

if [ -n "${CLUSTER_DIR:-}" ]; then
  cluster_dir=$(absolute "$CLUSTER_DIR")
else
  cluster_dir="$root/target/cluster"
fi
pg_dir="$cluster_dir/pg"
grace=${MEDIATION_SHUTDOWN_GRACE:-30}
case "$grace" in '' | *[!0-9]*) grace=30 ;; esac

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
# True when PID runs a command line containing WORD (pid files may be stale and the pid reused).
runs() { alive "$1" && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q -- "$2"; }

# SIGTERM to the given pids, then wait for them (the replicas' shutdown grace and 10 s more),
# then SIGKILL what is left.
terminate() {
  local pid deadline left
  [ $# -gt 0 ] || return 0
  for pid in "$@"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  deadline=$((SECONDS + grace + 10))
  while :; do
    left=()
    for pid in "$@"; do
      alive "$pid" && left+=("$pid")
    done
    [ ${#left[@]} -gt 0 ] || break
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "$prog: still running after $((grace + 10)) s, killing: ${left[*]}" >&2
      kill -KILL "${left[@]}" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  for pid in "$@"; do
    wait "$pid" 2>/dev/null || true
  done
}

stop_left_running() {
  local pid f pids=()
  if [ ! -d "$cluster_dir" ]; then
    echo "$prog: no cluster in $cluster_dir" >&2
    return 0
  fi
  # A foreground cluster.sh still running: let it stop its replicas and the database.
  if [ -f "$cluster_dir/cluster.pid" ]; then
    pid=$(cat "$cluster_dir/cluster.pid")
    if [ "$pid" != "$$" ] && runs "$pid" cluster.sh; then
      echo "$prog: stopping the cluster.sh running as pid $pid" >&2
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 $(((grace + 30) * 5))); do
        alive "$pid" || break
        sleep 0.2
      done
      alive "$pid" && echo "$prog: pid $pid has not stopped; stopping what it started" >&2
    fi
  fi
  for f in "$cluster_dir"/replica-*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if runs "$pid" --replica-id; then
      echo "$prog: stopping $(basename "$f" .pid) (pid $pid)" >&2
      pids+=("$pid")
    fi
  done
  # Not our children: terminate's `wait` does nothing for them, so poll.
  terminate "${pids[@]}"
  rm -f "$cluster_dir"/replica-*.pid "$cluster_dir/cluster.pid"
  "$root/scripts/pg.sh" stop "$pg_dir" >&2
}

n=3
case "${1:-}" in
  -h | --help | help)
    usage
    exit 0
    ;;
  stop)
    [ $# -eq 1 ] || die "stop takes no arguments"
    stop_left_running
    exit 0
    ;;
  '') ;;
  *[!0-9]*) die "N must be a number of replicas, got '$1' (usage: $prog [N] | $prog stop)" ;;
  *) n=$1 ;;
esac
[ $# -le 1 ] || die "too many arguments (usage: $prog [N] | $prog stop)"
{ [ "$n" -ge 1 ] && [ "$n" -le 50 ]; } || die "N must be 1-50, got $n"
base_port=${BASE_PORT:-8081}
case "$base_port" in '' | *[!0-9]*) die "BASE_PORT must be a port number, got '$base_port'" ;; esac
{ [ "$base_port" -ge 1 ] && [ $((base_port + n - 1)) -le 65535 ]; } ||
  die "BASE_PORT $base_port leaves no room for $n replicas"
command -v curl >/dev/null 2>&1 || die "curl is missing (Debian: apt-get install curl)"
fixture="$root/fixtures/week-2026-12-07.json"
[ -f "$fixture" ] || die "the shipped week $fixture is missing"

# Nothing left from an earlier run, and the ports free.
if [ -f "$cluster_dir/cluster.pid" ] && runs "$(cat "$cluster_dir/cluster.pid")" cluster.sh; then
  die "a cluster is already running from $cluster_dir (pid $(cat "$cluster_dir/cluster.pid")); stop it with: $0 stop"
fi
for f in "$cluster_dir"/replica-*.pid; do
  [ -f "$f" ] || continue
  if runs "$(cat "$f")" --replica-id; then
    die "$(basename "$f" .pid) of an earlier run still runs (pid $(cat "$f")); stop it with: $0 stop"
  fi
done
for ((i = 0; i < n; i++)); do
  port=$((base_port + i))
  if (exec 5<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port (replica-$i) is in use; choose another BASE_PORT"
  fi
done

# The binary.
if [ -n "${MEDIATION_BIN:-}" ]; then
  bin=$(absolute "$MEDIATION_BIN")
else
  echo "$prog: cargo build --release" >&2
  cargo build --release --bin mediation-scheduler
  target=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
  bin="$target/release/mediation-scheduler"
fi
[ -x "$bin" ] || die "$bin is not an executable (MEDIATION_BIN)"

mkdir -p "$cluster_dir"
rm -f "$cluster_dir"/replica-*.pid
echo $$ >"$cluster_dir/cluster.pid"

pids=()
names=()
cleaned=0
cleanup() {
  [ "$cleaned" = 0 ] || return 0
  cleaned=1
  # A second Ctrl-C does not leave the database running: the stop goes on.
  trap 'echo "$prog: still stopping (the replicas have up to ${grace} s of shutdown grace)" >&2' INT TERM
  local live=() k
  for k in "${!pids[@]}"; do
    alive "${pids[$k]}" && live+=("${pids[$k]}")
  done
  if [ ${#live[@]} -gt 0 ]; then
    echo "$prog: stopping ${#live[@]} replica(s) (SIGTERM; up to ${grace} s of shutdown grace)" >&2
    terminate "${live[@]}"
  fi
  echo "$prog: stopping PostgreSQL" >&2
  "$root/scripts/pg.sh" stop "$pg_dir" >&2 || true
  rm -f "$cluster_dir"/replica-*.pid
  if [ "$(cat "$cluster_dir/cluster.pid" 2>/dev/null)" = "$$" ]; then
    rm -f "$cluster_dir/cluster.pid"
  fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

# PostgreSQL and the schema.
url=$("$root/scripts/pg.sh" start "$pg_dir") || die "scripts/pg.sh could not start PostgreSQL in $pg_dir"
echo "$prog: $bin migrate --database-url $url" >&2
"$bin" migrate --database-url "$url" >&2 || die "migrate failed"

# The replicas, each in its own session: Ctrl-C reaches this script, which stops them in order.
keys=${MEDIATION_API_KEYS:-demo:demo-key-change-me:read+submit+admin}
launcher=()
command -v setsid >/dev/null 2>&1 && launcher=(setsid)
for ((i = 0; i < n; i++)); do
  name="replica-$i"
  port=$((base_port + i))
  MEDIATION_API_KEYS=$keys "${launcher[@]}" "$bin" serve --database-url "$url" \
    --bind "127.0.0.1:$port" --replica-id "$name" \
    </dev/null >"$cluster_dir/$name.log" 2>&1 &
  pids+=("$!")
  names+=("$name")
  echo "$!" >"$cluster_dir/$name.pid"
  echo "$prog: started $name (pid $!) on 127.0.0.1:$port" >&2
done

# Ready: every replica answers GET /readyz with 200 within 60 s.
deadline=$((SECONDS + 60))
for ((i = 0; i < n; i++)); do
  port=$((base_port + i))
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/readyz" || true)
    [ "$code" = 200 ] && break
    if ! alive "${pids[$i]}"; then
      echo "$prog: ${names[$i]} stopped while starting; the end of its log:" >&2
      tail -n 20 "$cluster_dir/${names[$i]}.log" >&2
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "$prog: ${names[$i]} did not answer /readyz with 200 within 60 s (last: ${code:-none}); the end of its log:" >&2
      tail -n 20 "$cluster_dir/${names[$i]}.log" >&2
      exit 1
    fi
    sleep 0.2
  done
done

# The example's request body: the shipped week as {"problem": …}.
body="$cluster_dir/week-request.json"
{
  printf '{"problem": '
  cat "$fixture"
  printf '}\n'
} >"$body"
if [ -n "${MEDIATION_API_KEYS:-}" ]; then
  key_line='KEY=…   # one of your MEDIATION_API_KEYS with the read and submit scopes'
else
  key_line='KEY=demo-key-change-me'
fi
first="http://127.0.0.1:$base_port"
other="http://127.0.0.1:$((base_port + (n > 1 ? 1 : 0)))"

echo
echo "$n replica(s) ready, sharing $url"
for ((i = 0; i < n; i++)); do
  printf '  %-11s http://127.0.0.1:%s   pid %s   log %s\n' \
    "${names[$i]}" "$((base_port + i))" "${pids[$i]}" "$cluster_dir/${names[$i]}.log"
done
echo "  PostgreSQL  log $pg_dir/log"
cat <<EOF

Submit the shipped week ($fixture) to ${names[0]} and poll it from ${names[$((n > 1 ? 1 : 0))]}:

  $key_line
  id=\$(curl -sS -X POST $first/v1/rosters \\
    -H "Authorization: Bearer \$KEY" -H 'Content-Type: application/json' \\
    --data-binary @$body |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
  curl -sS -H "Authorization: Bearer \$KEY" $other/v1/rosters/\$id/status
  curl -sS -H "Authorization: Bearer \$KEY" $other/v1/rosters/\$id     # the whole job, with the result when done

The body file holds {"problem": <the fixture>}. Stop a replica with kill -9 PID to see
another replica take its job once the lease expires (10 s by default).
Ctrl-C here stops every replica and PostgreSQL; so does \`$0 stop\` from another terminal.
EOF

# Foreground until a signal, or until every replica has stopped.
reported=()
while :; do
  running=0
  for ((i = 0; i < n; i++)); do
    if alive "${pids[$i]}"; then
      running=$((running + 1))
    elif [ -z "${reported[$i]:-}" ]; then
      reported[i]=1
      status=0
      wait "${pids[$i]}" 2>/dev/null || status=$?
      echo "$prog: ${names[$i]} (pid ${pids[$i]}) exited with status $status; its log: $cluster_dir/${names[$i]}.log" >&2
    fi
  done
  if [ "$running" -eq 0 ]; then
    echo "$prog: every replica has stopped" >&2
    exit 1
  fi
  sleep 1 &
  wait $! || true
done
