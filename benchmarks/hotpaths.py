"""The hot paths under one gunicorn, driven by wrk: the hub page and API against a bare Flask endpoint, webhook
ingest against a minimal durable ingest.

    .venv/bin/python -m benchmarks.hotpaths     # BENCH_SECONDS=5, BENCH_ROUNDS=3, BENCH_WORKERS=4

`wsgi_bench.py` mounts MicroHub (production config, real Redis), a bare Flask endpoint and the floor ingest (a raw
`INSERT … RETURNING` on a kept psycopg connection plus one LPUSH) in the same app. The hub is seeded like the demo's:
500 members, 2 plans, 3 live sponsor placements on its page. wrk (Debian's package, not Python, so the client costs
the server's cores little) drives every path for BENCH_SECONDS per round; the paths take turns, round after round,
and the table gives the medians of the per-round ratios. Webhooks: a Lua script posts distinct events signed
beforehand (one file per round and side), so every delivery is new.
"""
from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

import stripe

from .common import REDIS, bench_database
from .run import free_port, processing_benchmark
from .seed import AGENT, seed_hub

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WORKERS = os.environ.get("BENCH_WORKERS", "4")
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "8")
EVENTS = int(os.environ.get("BENCH_EVENTS", "40000"))
LUA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "signed_posts.lua")


def wrk(url: str, *headers: str, script: str | None = None, events: str | None = None) -> dict:
    """One wrk run: requests per second and p50/p99 in ms; any non-2xx answer fails the benchmark."""
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "-H", f"User-Agent: {AGENT}"]
    for header in headers:
        args += ["-H", header]
    if script:
        args += ["-s", script]
    out = subprocess.run(args + [url] + (["--", events, "2"] if events else []), capture_output=True, text=True,
                         check=True, env={**os.environ}).stdout
    assert "Non-2xx" not in out, out
    if events:
        sent = int(re.search(r"(\d+) requests in", out).group(1))
        assert sent <= EVENTS, f"{sent} posts but only {EVENTS} distinct events: raise BENCH_EVENTS"
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)), "p99": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))}


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def signed_file(directory: str, prefix: str, count: int = EVENTS) -> str:
    """`count` distinct events, signed now, one `signature<TAB>body` line each."""
    path = os.path.join(directory, f"{prefix}-{uuid.uuid4().hex[:6]}.tsv")
    with open(path, "w") as out:
        for _ in range(count):
            body = json.dumps({"id": f"evt_{prefix}_{uuid.uuid4().hex}", "object": "event", "type": "customer.created",
                               "created": int(time.time()), "data": {"object": {"id": "cus_1", "object": "customer"}}})
            out.write(f"{stripe.WebhookSignature.generate_signature_header(body, 'whsec_bench')}\t{body}\n")
    return path


def serve(url: str, person_page: str = ""):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url.replace("postgresql+psycopg://", "postgresql://"), "REDIS_URL": REDIS,
           "MICROHUB_ENV": "production", "SECRET_KEY": "bench-secret", "PYTHONPATH": ROOT,
           "BENCH_PERSON_PAGE": person_page}
    command = [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-w", WORKERS, "-k", WORKER_CLASS,
               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "benchmarks.wsgi_bench:app"]
    if WORKER_CLASS == "gthread":
        command += ["--threads", os.environ.get("BENCH_THREADS", "4")]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(100):
        try:
            subprocess.run(["curl", "-sf", f"http://127.0.0.1:{port}/bare/"], check=True, capture_output=True)
            break
        except subprocess.CalledProcessError:
            time.sleep(0.1)
    return server, f"http://127.0.0.1:{port}"


def targets(base: str, slug: str, cookies: dict) -> dict:
    return {
        "bare": (f"{base}/bare/",),
        "hub page, visitor": (f"{base}/h/{slug}",),
        "hub page, visitor, no sponsors": (f"{base}/h/plain",),
        "hub API, visitor": (f"{base}/api/v1/hubs/{slug}",),
        "hub page, member": (f"{base}/h/{slug}", f"Cookie: {cookies['member']}"),
        "personal floor": (f"{base}/person/{slug}", f"Cookie: {cookies['member']}"),
        "overview, organizer": (f"{base}/h/{slug}/manage", f"Cookie: {cookies['organizer']}"),
    }


def check(paths: dict) -> None:
    """Every path answers 200 as the person it is meant for (wrk counts a redirect to log in as a success), and a
    signed-in page sets no cookie: the browser's cookie is what it gets back, as for a real person's next page."""
    expect = {"hub page, member": "You are a member", "overview, organizer": "Manage", "hub page, visitor": "Log in"}
    for name, (url, *headers) in paths.items():
        out = subprocess.run(["curl", "-s", "-i", "-w", "%{http_code}", "-A", AGENT,
                              *sum((["-H", h] for h in headers), []), url], capture_output=True, text=True,
                             check=True).stdout
        head = out.split("\r\n\r\n", 1)[0].lower()
        assert out.endswith("200") and expect.get(name, "") in out, (name, out[-300:])
        assert "set-cookie:" not in head, (name, head)


def member_page(base: str, slug: str, cookie: str, path: str) -> None:
    """The member's page as MicroHub serves it, with their name as the personal floor's one blank."""
    page = subprocess.run(["curl", "-s", "-A", AGENT, "-H", f"Cookie: {cookie}", f"{base}/h/{slug}"],
                          capture_output=True, text=True, check=True).stdout
    assert "Member 0" in page
    with open(path, "w") as out:
        out.write(page.replace("Member 0", "{{name}}"))


def served_rounds(url: str, slug: str, cookies: dict) -> list[dict]:
    tmp_dir = tempfile.TemporaryDirectory()
    tmp = tmp_dir.name
    server, base = serve(url, os.path.join(tmp, "member.html"))
    rounds = []
    try:
        with tmp_dir:
            member_page(base, slug, cookies["member"], os.path.join(tmp, "member.html"))
            paths = targets(base, slug, cookies)
            check(paths)
            for path in paths.values():  # warm every worker on every path
                subprocess.run(["wrk", "-t1", "-c4", "-d1s", *sum((["-H", h] for h in path[1:]), []), path[0]],
                               check=True, capture_output=True)
            for _ in range(ROUNDS):
                figures = {name: wrk(*path) for name, path in paths.items()}
                figures["floor ingest"] = wrk(f"{base}/floor/", script=LUA, events=signed_file(tmp, "floor"))
                figures["webhook ingest"] = wrk(f"{base}/webhooks/stripe", script=LUA,
                                                events=signed_file(tmp, "hook"))
                rounds.append(figures)
                print(json.dumps(figures), file=sys.stderr)
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return rounds


def table(rounds: list[dict], processing: dict) -> list[str]:
    def median(name, field="rps"):
        return statistics.median(r[name][field] for r in rounds)

    def ratio(name, base):
        return statistics.median(r[name]["rps"] / r[base]["rps"] for r in rounds)

    goals = {"hub page, visitor": 0.5, "hub page, visitor, no sponsors": 0.5, "hub API, visitor": 0.5,
             "hub page, member": 0.25, "overview, organizer": 0.25, "personal floor": 0.25}
    lines = [f"gunicorn -w {WORKERS} -k {WORKER_CLASS}, wrk -t2 -c{CONNECTIONS} {SECONDS}s, medians of {ROUNDS} rounds",
             "| path | req/s | ratio | budget | p50 / p99 ms |", "|---|---|---|---|---|"]
    for name in ["bare", *goals, "floor ingest", "webhook ingest"]:
        base = "floor ingest" if name == "webhook ingest" else "bare"
        budget = {"webhook ingest": "≥ 0.8 of floor", "personal floor": "(what the goal asks of the least)",
                  **{k: f"≥ {v}" for k, v in goals.items() if k != "personal floor"}}.get(name, "")
        extra = f" (of bare {ratio(name, 'bare'):.2f})" if name == "webhook ingest" else ""
        if name == "hub page, member":
            extra = f" ({ratio(name, 'personal floor'):.2f} of the personal floor)"
        lines.append(f"| {name} | {median(name):.0f} | {ratio(name, base):.2f}{extra} | {budget} "
                     f"| {median(name, 'p50'):.1f} / {median(name, 'p99'):.1f} |")
    if processing:
        lines.append(f"| event processing vs no-op RQ job | {processing['process_jps']:.0f} jobs/s "
                     f"| {processing['ratio']:.2f} (no-op {processing['noop_jps']:.0f}) | ≥ 0.6 | |")
    return lines


def main() -> None:
    with bench_database() as url:
        slug, cookies = seed_hub(url)
        rounds = served_rounds(url, slug, cookies)
        processing = processing_benchmark(url) if os.environ.get("BENCH_PROCESSING", "1") == "1" else {}
    print("\n".join(table(rounds, processing)))


if __name__ == "__main__":
    main()
