#!/usr/bin/env python3
"""Several replicas on one machine, measured: throughput of the shipped week as jobs on 1, 2
and 3 `serve` replicas sharing one PostgreSQL database, a 16-scenario what-if job on 1 and 3
replicas, and, counted from the database, claims made while the job's previous lease was
live (there must be none).

    cargo build --release && python3 scripts/replica-bench.py [--jobs 24] [--slots 1]

Each replica gets `--slots` solve slots (default 1, so replicas = solves at once); on a
2-core machine the replicas share the two cores, so throughput cannot grow past two solves
at once. Prints Markdown tables. Starts and stops its own PostgreSQL (scripts/pg.sh) in a
temporary directory.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEY = "bench-key-0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("authorization", f"Bearer {KEY}")
    if data is not None:
        req.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def psql(url, sql):
    out = subprocess.run(
        ["psql", url, "-At", "-c", sql], check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


class Replicas:
    def __init__(self, binary, url, n, slots, logdir):
        self.procs, self.bases = [], []
        env = dict(os.environ, MEDIATION_API_KEYS=f"bench:{KEY}:read+submit+admin")
        for i in range(n):
            port = free_port()
            log = open(os.path.join(logdir, f"replica-{n}-{i}.log"), "w")
            self.procs.append(
                subprocess.Popen(
                    [binary, "serve", "--database-url", url, "--bind", f"127.0.0.1:{port}",
                     "--replica-id", f"replica-{i}", "--max-concurrent-solves", str(slots),
                     "--queue-len", "1000", "--log", "warn"],
                    env=env, stdout=subprocess.DEVNULL, stderr=log,
                )
            )
            self.bases.append(f"http://127.0.0.1:{port}")
        deadline = time.time() + 60
        for base in self.bases:
            while True:
                try:
                    with urllib.request.urlopen(base + "/readyz", timeout=2) as r:
                        if r.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError):
                    pass
                if time.time() > deadline:
                    sys.exit(f"{base} did not become ready")
                time.sleep(0.1)

    def stop(self):
        for p in self.procs:
            p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def wait_done(bases, ids, timeout=1800):
    pending, i, deadline = set(ids), 0, time.time() + timeout
    while pending:
        for job in list(pending):
            status, body = request(bases[i % len(bases)], "GET", f"/v1/rosters/{job}")
            i += 1
            if status == 200 and body["state"] in ("done", "failed", "cancelled"):
                if body["state"] != "done":
                    sys.exit(f"job {job} ended {body['state']}: {body.get('failure')}")
                pending.discard(job)
        if time.time() > deadline:
            sys.exit(f"{len(pending)} jobs not done in time")
        time.sleep(0.05)


def fresh_db(admin_url, name, binary):
    psql(admin_url, f"CREATE DATABASE {name}")
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    subprocess.run([binary, "migrate", "--database-url", url], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return url


def what_if_document(week):
    doc = json.load(open(os.path.join(ROOT, "fixtures/what-if-2026-12-07.json")))
    doc["base"] = week
    extra = [
        {"name": f"demand-plus-{p}-seed-{s}",
         "changes": [{"kind": "scale_demand", "factor": 1 + p / 100, "seed": s}]}
        for p, s in [(10, 1), (10, 2), (20, 3), (20, 4), (40, 5), (40, 6), (50, 7), (50, 8)]
    ]
    doc["scenarios"] = doc["scenarios"] + extra
    assert len(doc["scenarios"]) == 16
    return doc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/mediation-scheduler"))
    ap.add_argument("--jobs", type=int, default=24)
    ap.add_argument("--replicas", default="1,2,3")
    ap.add_argument("--slots", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=30)
    ap.add_argument("--problem", default=os.path.join(ROOT, "fixtures/week-2026-12-07.json"),
                    help="the problem the jobs solve (default: the shipped week)")
    ap.add_argument("--no-what-if", action="store_true")
    args = ap.parse_args()
    week = json.load(open(os.path.join(ROOT, "fixtures/week-2026-12-07.json")))
    problem = json.load(open(args.problem))
    tmp = tempfile.mkdtemp(prefix="replica-bench-")
    os.chmod(tmp, 0o755)  # PostgreSQL runs as an unprivileged user when we are root
    admin = subprocess.run([os.path.join(ROOT, "scripts/pg.sh"), "start", os.path.join(tmp, "pg")],
                           check=True, capture_output=True, text=True).stdout.strip()
    rows, whatif_rows = [], []
    try:
        for n in [int(x) for x in args.replicas.split(",")]:
            url = fresh_db(admin, f"bench_{n}", args.bin)
            replicas = Replicas(args.bin, url, n, args.slots, tmp)
            try:
                body = {"problem": problem, "options": {"time_limit_secs": args.time_limit}}
                started = time.time()
                ids = []
                for j in range(args.jobs):
                    status, job = request(replicas.bases[j % n], "POST", "/v1/rosters", body)
                    assert status == 202, (status, job)
                    ids.append(job["id"])
                wait_done(replicas.bases, ids)
                wall = time.time() - started
                leased = psql(url, "SELECT count(*) FROM claims WHERE previous_lease_expires > claimed_at")
                twice = psql(url, "SELECT count(*) FROM (SELECT job FROM claims GROUP BY job HAVING count(*) > 1) t")
                split = psql(url, "SELECT string_agg(n::text, '/' ORDER BY replica) FROM "
                                  "(SELECT replica, count(*) n FROM claims GROUP BY replica) t")
                rows.append((n, wall, leased, twice, split))
                if n in (1, 3) and not args.no_what_if:
                    status, job = request(replicas.bases[0], "POST", "/v1/what-if",
                                          {"what_if": what_if_document(week),
                                           "options": {"time_limit_secs": args.time_limit}})
                    assert status == 202, (status, job)
                    started = time.time()
                    wait_done(replicas.bases, [job["id"]])
                    wall_w = time.time() - started
                    solvers = psql(url, f"SELECT count(DISTINCT lease_owner) FROM jobs WHERE parent = '{job['id']}'")
                    whatif_rows.append((n, wall_w, solvers))
            finally:
                replicas.stop()
    finally:
        subprocess.run([os.path.join(ROOT, "scripts/pg.sh"), "stop", os.path.join(tmp, "pg")],
                       capture_output=True)
    base = rows[0][1] if rows else None
    print(f"\n`{os.path.basename(args.problem)}` as {args.jobs} jobs, {args.slots} solve slot(s) "
          f"per replica, time limit {args.time_limit:g} s:\n")
    print("| replicas | wall | jobs/min | vs 1 replica | claims while leased | jobs claimed twice | claims per replica |")
    print("|---|---|---|---|---|---|---|")
    for n, wall, leased, twice, split in rows:
        print(f"| {n} | {wall:.1f} s | {args.jobs / wall * 60:.0f} | {base / wall:.2f}× | {leased} | {twice} | {split} |")
    if whatif_rows:
        print("\nA what-if job of 16 scenarios and the base (17 child jobs):\n")
        print("| replicas | wall | replicas that solved scenarios |")
        print("|---|---|---|")
        for n, wall, solvers in whatif_rows:
            print(f"| {n} | {wall:.1f} s | {solvers} |")
    print(f"\nlogs: {tmp}")


if __name__ == "__main__":
    main()
