"""A login burst: N people sign in at the same instant (the morning a review round opens) while one
signed-in expert keeps reading pages. Measures each login as the user saw it, the burst's wall time, the
pages' latency during the burst, and the floor set by password hashing alone (N checks at Django's default
PBKDF2 cost spread over the cores), so the report says whether anything but hashing is left to fix."""

import http.cookiejar
import os
import re
import statistics
import threading
import time
import urllib.parse
import urllib.request

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    def __init__(self, host):
        self.host = host
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path):
        with self.opener.open(self.host + path, timeout=120) as response:  # noqa: S310 — the local server
            return response.status, response.read().decode("utf-8", "replace")

    def login_form(self):
        _status, page = self.get("/accounts/login/")
        return CSRF.search(page).group(1)

    def login(self, username, password, token):
        data = urllib.parse.urlencode({"username": username, "password": password,
                                       "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.host + "/accounts/login/", data=data,
                                         headers={"Referer": self.host + "/accounts/login/"})
        with self.opener.open(request, timeout=120) as response:  # noqa: S310 — the local server
            response.read()
            return response.geturl()


def one_hash_ms() -> float:
    """One password check at Django's default cost, on this machine, in this process."""
    from django.conf import settings  # noqa: PLC0415 — reason: configured by the caller
    from django.contrib.auth.hashers import PBKDF2PasswordHasher  # noqa: PLC0415

    if not settings.configured:
        settings.configure()
    hasher = PBKDF2PasswordHasher()
    encoded = hasher.encode("pocflow-demo", hasher.salt())
    times = []
    for _ in range(5):
        started = time.perf_counter()
        hasher.verify("pocflow-demo", encoded)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def burst(host, *, usernames, password, logins, reader, reader_pages):
    """`logins` sign-ins (cycling through `usernames`) released together; `reader` (signed in beforehand)
    reads `reader_pages` in a loop until the last login has answered."""
    browsers = [Browser(host) for _ in range(logins)]
    tokens = [b.login_form() for b in browsers]  # the forms are open before the moment everyone clicks
    watcher = Browser(host)
    watcher.login(reader, password, watcher.login_form())
    gate = threading.Barrier(logins + 1)
    results: list[tuple[float, bool]] = [(0.0, False)] * logins
    done = threading.Event()
    page_times: list[float] = []

    def sign_in(i):
        gate.wait()
        started = time.perf_counter()
        landed = browsers[i].login(usernames[i % len(usernames)], password, tokens[i])
        results[i] = ((time.perf_counter() - started) * 1000, "/accounts/login/" not in landed)

    def read():
        while not done.is_set():
            for path in reader_pages:
                started = time.perf_counter()
                watcher.get(path)
                page_times.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=sign_in, args=(i,)) for i in range(logins)]
    for thread in threads:
        thread.start()
    reading = threading.Thread(target=read)
    reading.start()
    started = time.perf_counter()
    gate.wait()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    done.set()
    reading.join()
    return {"wall_s": wall, "logins_ms": sorted(ms for ms, _ok in results), "failed": sum(not ok for _ms, ok in results),
            "pages_ms": sorted(page_times)}


def print_burst(result, *, logins, hash_ms, cores=None):
    cores = cores or os.cpu_count()
    floor = logins * hash_ms / 1000 / cores
    times = result["logins_ms"]

    def q(values, p):
        return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")

    print(f"\nlogin burst: {logins} sign-ins released together, {result['failed']} failed")
    print(f"  one password check (PBKDF2, Django's default cost) {hash_ms:.0f} ms; "
          f"hashing alone needs {floor:.1f} s on {cores} cores")
    print(f"  burst done in {result['wall_s']:.1f} s; each login p50/p95/max "
          f"{q(times, 50):.0f}/{q(times, 95):.0f}/{q(times, 100):.0f} ms")
    pages = result["pages_ms"]
    print(f"  a signed-in expert's pages during the burst: {len(pages)} pages, p50/p95 "
          f"{q(pages, 50):.0f}/{q(pages, 95):.0f} ms")
