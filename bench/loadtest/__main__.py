"""`make loadtest`: a bounded load test of the production server, a benchmark, not a test.

Builds a fresh database (PostgreSQL `pocflow_loadtest` when PostgreSQL answers, else SQLite under var/),
seeds the demo plus a pipeline of proposals, collects static files, starts gunicorn with the repository's
configuration (DEBUG off) on a free port of 127.0.0.1, runs Locust headless (50 users, 60 s, every role's
main pages, logins included) and prints requests/s, p50/p95/p99 per page as users saw them, the server's
own time per page (from its JSON request log) and the error count.

Then a login burst (bench/loadtest/burst.py): LOADTEST_BURST sign-ins released at the same instant while
a signed-in expert reads pages, printed beside the floor that password hashing alone sets.

  LOADTEST_USERS=50 LOADTEST_SECONDS=60 LOADTEST_PROPOSALS=40 LOADTEST_BURST=40   sizes (0 skips a phase)
  LOADTEST_SERVER=baseline     gunicorn's defaults instead (3 sync workers): the "before" figure
  LOADTEST_DATABASE_URL=...    another database (it is dropped and rebuilt)
"""

import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.loadtest import burst

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "var" / "loadtest"
PY = sys.executable
BIN = Path(PY).parent


def pg_up() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False).returncode == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def main() -> int:
    users = int(os.environ.get("LOADTEST_USERS", "50"))
    seconds = int(os.environ.get("LOADTEST_SECONDS", "60"))
    proposals = int(os.environ.get("LOADTEST_PROPOSALS", "40"))
    baseline = os.environ.get("LOADTEST_SERVER") == "baseline"
    logins = int(os.environ.get("LOADTEST_BURST", "40"))
    OUT.mkdir(parents=True, exist_ok=True)
    if os.environ.get("LOADTEST_DATABASE_URL"):
        database = os.environ["LOADTEST_DATABASE_URL"]
    elif pg_up():
        database = "postgres://postgres@127.0.0.1:5432/pocflow_loadtest"
    else:
        database = f"sqlite:///{OUT / 'loadtest.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": database, "DJANGO_DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
           "ALLOWED_HOSTS": "127.0.0.1", "STATIC_ROOT": str(OUT / "static"), "MEDIA_ROOT": str(OUT / "media"),
           "LOG_FORMAT": "json", "APP_LOG_LEVEL": "INFO", "WEB_ACCESS_LOG": "/dev/null", "PYTHONPATH": str(ROOT),
           # plain HTTP on 127.0.0.1: no TLS proxy in front, so the cookies cannot be Secure-only here
           "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0"}
    env.pop("CELERY_BROKER_URL", None)  # documents render inline: the load is the web server's

    def manage(*args):  # seeding: only warnings (the server logs every request and domain event)
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env={**env, "APP_LOG_LEVEL": "WARNING"}, check=True,
                       stdout=subprocess.DEVNULL)

    print(f"database: {database.split('@')[-1]}", flush=True)
    if database.startswith("postgres"):
        name = database.rsplit("/", 1)[1]
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    else:
        Path(database.removeprefix("sqlite:///")).unlink(missing_ok=True)
    started = time.perf_counter()
    manage("migrate", "--noinput", "-v", "0")
    manage("seed_demo")
    manage("run_pipeline", "--proposals", str(proposals), "--out", str(OUT / "letters"))
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,
                   env={**env, "STATIC_MANIFEST": "1"}, check=True)
    print(f"seeded {proposals} proposals in {time.perf_counter() - started:.0f} s", flush=True)
    pages = subprocess.run([PY, "manage.py", "shell", "-c",
                            "import json; from bench.loadtest.pages import pages; print(json.dumps(pages()))"],
                           cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]

    port = free_port()
    server_log = OUT / "server.log"
    command = [str(BIN / "gunicorn"), "pocflow.wsgi", "--bind", f"127.0.0.1:{port}"]
    if baseline:
        command = [str(BIN / "gunicorn"), "pocflow.wsgi", "--bind", f"127.0.0.1:{port}", "-c", "/dev/null",
                   "--workers", "3", "--worker-class", "sync"]
    with open(server_log, "wb") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310 — local
                break
            except OSError:
                time.sleep(0.2)
        print(f"server: {'3 sync workers (gunicorn defaults)' if baseline else 'gunicorn.conf.py'}; "
              f"{users} users for {seconds} s", flush=True)
        if users:
            subprocess.run([str(BIN / "locust"), "-f", str(Path(__file__).with_name("locustfile.py")), "--headless",
                            "-u", str(users), "-r", str(max(1, users // 5)), "-t", f"{seconds}s",
                            "--host", f"http://127.0.0.1:{port}", "--csv", str(OUT / "stats"), "--only-summary",
                            "--loglevel", "WARNING"],
                           cwd=ROOT, env={**env, "LOADTEST_PAGES": pages}, check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            report(seconds)
        if logins:
            walks = json.loads(pages)
            result = burst.burst(f"http://127.0.0.1:{port}", usernames=[u for u in walks if u != "anonymous"],
                                 password=os.environ.get("LOADTEST_PASSWORD", "pocflow-demo"), logins=logins,
                                 reader="expert1", reader_pages=[url for _name, url in walks["expert1"]])
            burst.print_burst(result, logins=logins, hash_ms=burst.one_hash_ms())
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    return 0


def report(seconds):
    server_times: dict[str, list[float]] = {}
    for line in (OUT / "server.log").read_text(errors="replace").splitlines():
        if '"pocflow.request"' not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        server_times.setdefault(f"{entry['method']} {entry.get('view')}", []).append(entry["duration_ms"])
    rows = list(csv.DictReader(open(OUT / "stats_stats.csv")))
    print(f"\n{'page (as users saw it)':<24}{'requests':>9}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'p99 ms':>9}")
    for row in rows:
        print(f"{row['Name'][:23]:<24}{row['Request Count']:>9}{row['Failure Count']:>8}"
              f"{float(row['Requests/s']):>8.1f}{row['50%']:>9}{row['95%']:>9}{row['99%']:>9}")
    print(f"\n{'server time per view':<44}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for view, times in sorted(server_times.items()):
        print(f"{view[:43]:<44}{len(times):>7}{percentile(times, 50):>9.0f}{percentile(times, 95):>9.0f}"
              f"{percentile(times, 99):>9.0f}")
    total = next((row for row in rows if row["Name"] == "Aggregated"), None)
    if total:
        print(f"\ntotal: {total['Request Count']} requests in {seconds} s, {float(total['Requests/s']):.1f} req/s, "
              f"{total['Failure Count']} errors")


if __name__ == "__main__":
    sys.exit(main())
