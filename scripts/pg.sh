#!/usr/bin/env bash
# pg.sh: a throwaway PostgreSQL cluster in one directory, for the tests, CI and
# scripts/cluster.sh (see docs/deploy.md).
#
#   scripts/pg.sh start DIR [PORT]   # init DIR if it holds no cluster, start it, print its URL
#   scripts/pg.sh stop DIR           # stop it (pg_ctl stop -m fast); no error if not running
#   scripts/pg.sh url DIR            # print its URL
#   scripts/pg.sh status DIR         # exit 0 if it runs, 3 if not
#
# `start` prints exactly one line on standard output, the URL
# `postgres://mediation@127.0.0.1:PORT/mediation`; everything else goes to standard error, so
# `URL=$(scripts/pg.sh start DIR)` works. Starting a cluster that already runs just prints
# the URL.
#
# DIR holds:
#   DIR/data   the cluster (initdb: UTF8, locale C, trust for local and 127.0.0.1 only;
#              bootstrap superuser `postgres`)
#   DIR/port   the TCP port, chosen at the first start (PORT, or a free one) and reused
#   DIR/log    the server log
#   DIR/.s.PGSQL.PORT  the unix socket (`psql -h DIR -p PORT -U postgres`)
# The server listens on 127.0.0.1 only. At each start it makes sure a role `mediation`
# (LOGIN SUPERUSER: the tests create and drop databases) and a database `mediation` owned
# by it exist. Settings: max_connections=200; with PG_FAST=1 also fsync=off,
# synchronous_commit=off and full_page_writes=off (a crash of the machine may then lose
# the cluster: for tests only).
#
# PostgreSQL refuses to run as root: as root, the server runs as the owner of an existing
# DIR/data, else as `postgres` (or `nobody` when there is no such user), and DIR is given
# to that user. Otherwise it runs as the current user.
#
# The binaries: PG_BINDIR if set; else the version that made DIR/data
# (/usr/lib/postgresql/VERSION/bin); else `pg_config --bindir` when it holds initdb; else the
# highest /usr/lib/postgresql/*/bin holding initdb; else initdb on PATH. On Debian:
# `apt-get install postgresql`.
set -euo pipefail

# Standard output is kept for the URL alone (fd 3); everything else goes to stderr.
exec 3>&1 1>&2

prog=${0##*/}
usage() {
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
}
# To stderr explicitly: die may run inside $(...), whose stdout is captured.
die() {
  echo "$prog: $*" >&2
  exit 1
}
# Usage errors exit 2.
usage_error() {
  echo "$prog: $*" >&2
  usage >&2
  exit 2
}

[ $# -ge 1 ] || usage_error "no command"
cmd=$1
shift
case "$cmd" in
  -h | --help | help)
    usage >&3
    exit 0
    ;;
  start) { [ $# -ge 1 ] && [ $# -le 2 ]; } || usage_error "start takes DIR [PORT]" ;;
  stop | url | status) [ $# -eq 1 ] || usage_error "$cmd takes DIR" ;;
  *) usage_error "unknown command '$cmd'" ;;
esac
[ -n "$1" ] || usage_error "DIR is empty"
port_arg=${2:-}
if [ -n "$port_arg" ]; then
  case "$port_arg" in
    *[!0-9]*) usage_error "PORT must be a number, got '$port_arg'" ;;
  esac
  { [ "$port_arg" -ge 1 ] && [ "$port_arg" -le 65535 ]; } || usage_error "PORT must be 1-65535, got $port_arg"
fi

# DIR, absolute (server settings and pg_ctl need it: they run from inside DIR).
if [ "$cmd" = start ]; then
  mkdir -p -- "$1" || die "cannot create $1"
fi
if [ ! -d "$1" ]; then
  case "$cmd" in
    stop)
      echo "$prog: no cluster at $1 (no such directory): nothing to stop"
      exit 0
      ;;
    status)
      echo "$prog: no cluster at $1 (no such directory)"
      exit 3
      ;;
    *) die "no cluster at $1 (no such directory)" ;;
  esac
fi
dir=$(cd -- "$1" 2>/dev/null && pwd -P) || die "cannot enter $1 (permission denied?)"
data="$dir/data"
log="$dir/log"
port_file="$dir/port"
case "$dir" in
  *"'"* | *,* | *\\* | *$'\n'*)
    die "DIR must not contain a quote, a comma, a backslash or a new line: $dir" ;;
esac

# --- the binaries -----------------------------------------------------------------------
has_server() { [ -x "$1/initdb" ] && [ -x "$1/pg_ctl" ] && [ -x "$1/postgres" ]; }
find_bindir() {
  local candidate version
  if [ -n "${PG_BINDIR:-}" ]; then
    has_server "$PG_BINDIR" || die "PG_BINDIR=$PG_BINDIR holds no initdb, pg_ctl and postgres"
    echo "$PG_BINDIR"
    return
  fi
  if [ -f "$data/PG_VERSION" ]; then
    version=$(cat "$data/PG_VERSION")
    if has_server "/usr/lib/postgresql/$version/bin"; then
      echo "/usr/lib/postgresql/$version/bin"
      return
    fi
  fi
  if command -v pg_config >/dev/null 2>&1; then
    candidate=$(pg_config --bindir 2>/dev/null || true)
    if [ -n "$candidate" ] && has_server "$candidate"; then
      echo "$candidate"
      return
    fi
  fi
  candidate=$(for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && echo "$d"
  done | sort -V | tail -n 1)
  if [ -n "$candidate" ] && has_server "$candidate"; then
    echo "$candidate"
    return
  fi
  candidate=$(command -v initdb 2>/dev/null || true)
  if [ -n "$candidate" ] && has_server "$(dirname "$candidate")"; then
    dirname "$candidate"
    return
  fi
  die "the PostgreSQL server is not installed: no initdb, pg_ctl and postgres in PG_BINDIR, \`pg_config --bindir\`, /usr/lib/postgresql/*/bin or on PATH (Debian: apt-get install postgresql)"
}
bindir=$(find_bindir)
for tool in pg_isready psql; do
  [ -x "$bindir/$tool" ] || die "$bindir has no $tool (Debian: apt-get install postgresql-client)"
done
if [ -f "$data/PG_VERSION" ]; then
  cluster_version=$(cat "$data/PG_VERSION")
  server_version=$("$bindir/postgres" --version | sed -n 's/.* \([0-9][0-9]*\)\..*/\1/p')
  # PG_VERSION is "15" (or "9.6" before 10).
  case "$cluster_version" in
    "$server_version" | "$server_version".*) ;;
    *) die "$data is a PostgreSQL $cluster_version cluster but $bindir/postgres is version $server_version (set PG_BINDIR, or remove $dir for a new cluster)" ;;
  esac
fi

# --- who runs the server ------------------------------------------------------------------
if [ "$(id -u)" -eq 0 ]; then
  if [ -d "$data" ]; then
    pg_user=$(stat -c %U "$data")
    [ "$pg_user" != root ] || die "$data belongs to root; PostgreSQL cannot run as root (chown it to postgres, or remove $dir)"
  elif id -u postgres >/dev/null 2>&1; then
    pg_user=postgres
  else
    pg_user=nobody
  fi
  id -u "$pg_user" >/dev/null 2>&1 || die "user $pg_user (owner of $data) does not exist"
  if command -v runuser >/dev/null 2>&1; then
    as_pg_user() { runuser -u "$pg_user" -- "$@"; }
  elif command -v setpriv >/dev/null 2>&1; then
    as_pg_user() { setpriv --reuid="$pg_user" --regid="$(id -g "$pg_user")" --init-groups -- "$@"; }
  else
    die "running as root, but neither runuser nor setpriv is there to run PostgreSQL as $pg_user (Debian: util-linux)"
  fi
else
  pg_user=$(id -un)
  if [ -d "$data" ] && [ "$(stat -c %u "$data")" != "$(id -u)" ]; then
    die "$data belongs to $(stat -c %U "$data"), not to $pg_user: run pg.sh as that user (or as root)"
  fi
  as_pg_user() { "$@"; }
fi
# Runs a command as the server's user, from inside DIR (the caller's directory may be closed
# to that user), without the URL's descriptor (3) or the lock (9): a server started here
# must not hold them open, or `$(pg.sh start DIR)` would never end.
run_as() { (cd "$dir" && as_pg_user "$@" 3>&- 9>&-); }

running() { run_as "$bindir/pg_ctl" status -D "$data" >/dev/null 2>&1; }
saved_port() {
  [ -s "$port_file" ] || return 1
  local p
  p=$(tr -d '[:space:]' <"$port_file")
  case "$p" in '' | *[!0-9]*) die "$port_file does not hold a port number" ;; esac
  echo "$p"
}
url() { echo "postgres://mediation@127.0.0.1:$1/mediation"; }

case "$cmd" in
  url)
    port=$(saved_port) || die "no cluster was started in $dir (no $port_file)"
    url "$port" >&3
    exit 0
    ;;
  status)
    if [ -f "$data/PG_VERSION" ] && running; then
      echo "$prog: running at $(url "$(saved_port || echo '?')") ($dir)"
      exit 0
    fi
    echo "$prog: not running ($dir)"
    exit 3
    ;;
  stop)
    if [ ! -f "$data/PG_VERSION" ]; then
      echo "$prog: no cluster in $dir: nothing to stop"
      exit 0
    fi
    if ! running; then
      echo "$prog: not running ($dir)"
      exit 0
    fi
    run_as "$bindir/pg_ctl" stop -D "$data" -m fast -w -t 60 ||
      die "pg_ctl stop failed (log: $log)"
    exit 0
    ;;
esac

# --- start --------------------------------------------------------------------------------
started=$SECONDS
if [ "$(id -u)" -eq 0 ]; then
  chown "$pg_user:" "$dir"
fi
run_as test -w "$dir" -a -x "$dir" ||
  die "user $pg_user cannot write to $dir: a parent directory is closed to it (e.g. /root is 0700); choose a DIR it can reach, such as one made by mktemp -d"

# One pg.sh at a time per DIR (two starts would both initdb, or both create the role).
if command -v flock >/dev/null 2>&1; then
  exec 9>>"$dir/.pg.sh.lock"
  flock -w 60 9 || die "another pg.sh has held $dir/.pg.sh.lock for 60 s"
fi

if [ -f "$data/PG_VERSION" ] && running; then
  port=$(saved_port) || die "the cluster in $dir runs, but $port_file is missing"
  if [ -n "$port_arg" ] && [ "$port_arg" != "$port" ]; then
    echo "$prog: already running on port $port (not $port_arg); stop it first to change the port"
  fi
  url "$port" >&3
  exit 0
fi

if [ ! -f "$data/PG_VERSION" ]; then
  if [ -e "$data" ] && [ -n "$(ls -A "$data" 2>/dev/null)" ]; then
    die "$data exists but holds no cluster (no PG_VERSION); remove it for a new cluster"
  fi
  echo "$prog: initdb $data (as $pg_user, $bindir)"
  init_flags=(--pgdata="$data" --username=postgres --encoding=UTF8 --locale=C --auth=trust)
  [ "${PG_FAST:-}" = 1 ] && init_flags+=(--no-sync)
  run_as "$bindir/initdb" "${init_flags[@]}" >/dev/null ||
    die "initdb failed in $data (run as $pg_user)"
  # Trust only the unix socket and 127.0.0.1 (initdb --auth=trust also lets ::1 in).
  run_as tee "$data/pg_hba.conf" >/dev/null <<'EOF'
# Written by scripts/pg.sh: a throwaway test cluster. Trust local and 127.0.0.1 only.
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  trust
host    all          all   127.0.0.1/32   trust
local   replication  all                  trust
host    replication  all   127.0.0.1/32   trust
EOF
  run_as tee -a "$data/postgresql.conf" >/dev/null <<'EOF'

# Added by scripts/pg.sh: the port, addresses, socket and test settings are written to
# pg.sh.conf at every start.
include_if_exists = 'pg.sh.conf'
EOF
fi

pick_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
    return
  fi
  # No python3: a random port that nothing answers on.
  local p _
  for _ in $(seq 1 50); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if ! (exec 5<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  die "no free port found (install python3, or pass PORT)"
}

auto_port=0
if [ -n "$port_arg" ]; then
  port=$port_arg
elif port=$(saved_port); then
  :
else
  port=$(pick_port)
  auto_port=1
fi

write_settings() {
  local socket="$dir/.s.PGSQL.$1"
  # sun_path holds 107 bytes and a terminating NUL.
  [ "${#socket}" -le 107 ] ||
    die "the socket path $socket is over 107 bytes; choose a shorter DIR"
  {
    echo "# Written by scripts/pg.sh at every start."
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $1"
    echo "unix_socket_directories = '$dir'"
    echo "max_connections = 200"
    if [ "${PG_FAST:-}" = 1 ]; then
      echo "# PG_FAST=1: no durability (tests only)."
      echo "fsync = off"
      echo "synchronous_commit = off"
      echo "full_page_writes = off"
    fi
  } | run_as tee "$data/pg.sh.conf" >/dev/null
}

log_tail() {
  echo "---- last lines of $log ----"
  tail -n "${1:-30}" "$log" 2>/dev/null || echo "(no log)"
  echo "----"
}

tries=0
while :; do
  tries=$((tries + 1))
  write_settings "$port"
  echo "$port" >"$port_file"
  log_size=$(stat -c %s "$log" 2>/dev/null || echo 0)
  left=$((30 - (SECONDS - started)))
  [ "$left" -ge 5 ] || left=5
  if run_as "$bindir/pg_ctl" start -D "$data" -l "$log" -w -t "$left" >/dev/null; then
    break
  fi
  new_log=$(tail -c +"$((log_size + 1))" "$log" 2>/dev/null || true)
  if [ "$auto_port" = 1 ] && [ "$tries" -lt 5 ] &&
    grep -q -e 'Address already in use' -e 'could not bind' <<<"$new_log"; then
    echo "$prog: port $port was taken meanwhile; trying another"
    port=$(pick_port)
    continue
  fi
  if [ $((SECONDS - started)) -ge 30 ]; then
    echo "$prog: the server did not accept connections within 30 s"
  else
    echo "$prog: the server did not start"
  fi
  log_tail 30
  # Not left half-started.
  run_as "$bindir/pg_ctl" stop -D "$data" -m immediate >/dev/null 2>&1 || true
  exit 1
done

# pg_ctl -w waited for the postmaster to say "ready"; pg_isready confirms that this
# cluster (its socket in DIR) and 127.0.0.1:PORT accept connections.
until "$bindir/pg_isready" -q -h "$dir" -p "$port" -U postgres -d postgres &&
  "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres; do
  if [ $((SECONDS - started)) -ge 30 ]; then
    echo "$prog: pg_isready: the server does not accept connections after 30 s"
    log_tail 30
    exit 1
  fi
  sleep 0.2
done

psql_admin() {
  "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres "$@"
}
have_role=$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'mediation'") ||
  die "psql could not query the new cluster (log: $log)"
if [ "$have_role" != 1 ]; then
  echo "$prog: creating role mediation (LOGIN SUPERUSER)"
  psql_admin -c 'CREATE ROLE mediation LOGIN SUPERUSER' || die "could not create role mediation"
fi
have_db=$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = 'mediation'")
if [ "$have_db" != 1 ]; then
  echo "$prog: creating database mediation"
  psql_admin -c 'CREATE DATABASE mediation OWNER mediation' || die "could not create database mediation"
fi

echo "$prog: running on 127.0.0.1:$port (data $data, log $log, $((SECONDS - started)) s)"
url "$port" >&3
