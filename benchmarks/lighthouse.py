"""Lighthouse scores for the pages people meet first, on a production-like MicroHub loaded with the demo.

    .venv/bin/python -m benchmarks.lighthouse      # needs Node.js (npm) and Debian's Chromium; not part of make test

It installs Lighthouse (benchmarks/lighthouse/package.json) when node_modules is missing, migrates a throwaway
SQLite database and loads the demo (`microhub db upgrade`, `microhub demo --yes`), serves it with gunicorn in
production mode (test payments on, so TEST MODE shows as it does on a demo), signs in the demo people through the
real login form, and runs Lighthouse's default mobile settings on each page with their session cookie. The JSON
reports land in test-artifacts/lighthouse/. It exits 1 when a score is under its target.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from microhub.demo import MEMBER_PASSWORD, ORGANIZER_EMAIL, ORGANIZER_PASSWORD

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "benchmarks" / "lighthouse"
REPORTS = ROOT / "test-artifacts" / "lighthouse"
BIN = Path(sys.executable).parent
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
TARGETS = {"performance": 90, "accessibility": 95, "best-practices": 95}
MEMBER = ("ada@demo.microhub.local", MEMBER_PASSWORD)
NEWCOMER = ("newcomer@demo.microhub.local", "lighthouse-newcomer-2026")
ORGANIZER = (ORGANIZER_EMAIL, ORGANIZER_PASSWORD)
#: (report name, path, who is signed in: None for a visitor); issue 14 sets the targets for the first four,
#: the organizer's overview is measured alongside.
PAGES = [("hub", "/h/demo", None), ("home", "/", MEMBER), ("join", "/h/demo/join", NEWCOMER),
         ("billing", "/account/billing", MEMBER), ("manage", "/h/demo/manage", ORGANIZER)]
WHO = {None: "visitor", MEMBER: "member", NEWCOMER: "signed in, not a member", ORGANIZER: "organizer"}
GATED = {"hub", "home", "join", "billing"}


NEWCOMER_SCRIPT = """
from microhub.app import create_app
from microhub.demo import _user
from microhub.extensions import db

with create_app().app_context():
    _user({email!r}, "Nia Newcomer", {password!r}, "Europe/Berlin")  # verified, as the demo's people are
    db.session.commit()
"""


def install() -> None:
    if not Path(CHROME).exists():
        raise SystemExit(f"{CHROME} is missing: `make browser` installs Debian's Chromium (or set CHROME_PATH)")
    if shutil.which("npm") is None:
        raise SystemExit("npm is missing: install Node.js (Lighthouse 13 asks for Node 22.12 or newer)")
    if not (TOOL / "node_modules" / ".bin" / "lighthouse").exists():
        command = ["npm", "ci"] if (TOOL / "package-lock.json").exists() else ["npm", "install"]
        subprocess.run([*command, "--no-audit", "--no-fund"], cwd=TOOL, check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(database: Path, base: str) -> dict:
    return {**os.environ, "MICROHUB_ENV": "production", "SECRET_KEY": "lighthouse-secret-key",
            "DATABASE_URL": f"sqlite:///{database}", "MICROHUB_TEST_PAYMENTS": "1", "MICROHUB_BASE_URL": base,
            "PYTHONPATH": str(ROOT), "MICROHUB_DEV_MAILBOX": "", "REDIS_URL": ""}


def prepare(env: dict) -> None:
    """Migrate, load the demo, and add a verified newcomer who belongs to no hub (for the join page)."""
    subprocess.run([str(BIN / "microhub"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([str(BIN / "microhub"), "demo", "--yes"], cwd=ROOT, env=env, check=True)
    script = NEWCOMER_SCRIPT.format(email=NEWCOMER[0], password=NEWCOMER[1])
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True)


def serve(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen([str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                               "wsgi:app"], cwd=ROOT, env=env)
    for _ in range(150):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def cookies(response: requests.Response, earlier: dict | None = None) -> dict:
    # Production cookies are Secure, and requests sends none of those over http: carry them by hand, as a header.
    return {**(earlier or {}), **{cookie.name: cookie.value for cookie in response.cookies}}


def header(jar: dict) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def log_in(base: str, email: str, password: str) -> str:
    """The Cookie header of a session signed in through the real login form (with its CSRF token)."""
    form = requests.get(f"{base}/login", timeout=10)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.text)[1]
    jar = cookies(form)
    answer = requests.post(f"{base}/login", data={"csrf_token": token, "email": email, "password": password},
                           headers={"Cookie": header(jar)}, allow_redirects=False, timeout=10)
    if answer.status_code != 302:
        raise SystemExit(f"logging in {email} failed: HTTP {answer.status_code}")
    return header(cookies(answer, jar))


def lighthouse(name: str, url: str, cookie: str | None) -> dict[str, int]:
    REPORTS.mkdir(parents=True, exist_ok=True)
    report = REPORTS / f"{name}.json"
    command = [str(TOOL / "node_modules" / ".bin" / "lighthouse"), url, "--quiet", "--output=json",
               f"--output-path={report}", "--only-categories=" + ",".join(TARGETS),
               "--chrome-flags=--headless=new --no-sandbox"]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": CHROME})
    categories = json.loads(report.read_text())["categories"]
    return {key: round(categories[key]["score"] * 100) for key in TARGETS}


def failing_audits(name: str) -> list[str]:
    """The audits that cost points, to read beside the table (details in the JSON report)."""
    result = json.loads((REPORTS / f"{name}.json").read_text())
    audits = result["audits"]
    out = []
    for key in TARGETS:
        for ref in result["categories"][key]["auditRefs"]:
            audit = audits[ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 0.9:
                out.append(f"  {name} {key}: {audit['id']} ({audit['score']}) {audit.get('displayValue', '')}")
    return out


def main() -> int:
    install()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="microhub-lighthouse-") as folder:
        env = environment(Path(folder) / "lighthouse.sqlite3", base)
        prepare(env)
        server = serve(env, port)
        try:
            sessions = {who: log_in(base, *who) for who in {who for _, _, who in PAGES if who}}
            scores = {name: lighthouse(name, base + path, sessions.get(who)) for name, path, who in PAGES}
        finally:
            server.terminate()
            server.wait(10)
    print(f"\nLighthouse {version()}, default mobile settings, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    print("| page | " + " | ".join(TARGETS) + " |\n|---|" + "---|" * len(TARGETS))
    for name, path, who in PAGES:
        print(f"| `{path}` ({WHO[who]}) | " + " | ".join(str(scores[name][k]) for k in TARGETS)
              + " |")
    print("| target | " + " | ".join(f"≥ {v}" for v in TARGETS.values()) + " |")
    low = [f"{name} {key} {score} < {TARGETS[key]}" for name, got in scores.items() for key, score in got.items()
           if name in GATED and score < TARGETS[key]]
    notes = [line for name, _, _ in PAGES for line in failing_audits(name)]
    if notes:
        print("\nAudits under 0.9:\n" + "\n".join(notes))
    if low:
        print("\nUnder target: " + "; ".join(low))
    return 1 if low else 0


def version() -> str:
    return json.loads((TOOL / "node_modules" / "lighthouse" / "package.json").read_text())["version"]


if __name__ == "__main__":
    sys.exit(main())
