"""Counting sponsor placements on a page: the same page with 3 live placements, counting on against off.

    .venv/bin/python -m benchmarks.sponsors       # BENCH_SPONSOR_REQUESTS=2000 by default

One app on a throwaway PostgreSQL database and the real Redis (`MICROHUB_BENCH_REDIS`), one process, Flask's
test client; the two pages take turns request by request, and the medians of the rounds are compared.
Both pages load the hub and its 3 live placements
with their approved listings (2 queries) and render them in base.html with signed click links; "on" also calls
`count_served` with the placement rows it loaded (no query; one Redis round trip). Each request comes from one of 500
addresses, so most views are counted and some are repeats within the hour, as on a real page.
"""
from __future__ import annotations

import os
import statistics
import time

from .common import bench_database

REQUESTS = int(os.environ.get("BENCH_SPONSOR_REQUESTS", "2000"))
ROUNDS = int(os.environ.get("BENCH_SPONSOR_ROUNDS", "5"))
REDIS = os.environ.get("MICROHUB_BENCH_REDIS", "redis://127.0.0.1:6379/12")
AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
PAGE = """{% extends "base.html" %}{% block content %}<h1>{{ hub.name }}</h1><p>{{ hub.purpose }}</p>
<ul>{% for p, revision in placements %}<li data-sponsor-click="{{ urls[p.id] }}"><a href="{{ urls[p.id] }}">
{{ revision.name }}</a>: {{ revision.helps_with }} <small>sponsored</small></li>{% endfor %}</ul>{% endblock %}"""


def seed(app) -> str:
    """A hub with 3 live hub-page placements (the served benchmark's own, `seed.live_placements`)."""
    from microhub.extensions import db
    from microhub.hubs.models import Hub

    from .seed import live_placements

    with app.app_context():
        hub = Hub(slug="bench-sponsors", name="Bench hub", purpose="Measuring", cap=100, currency="EUR",
                  timezone="UTC", promises="", rituals="", rules="")
        db.session.add(hub)
        db.session.flush()
        live_placements(hub)
        db.session.commit()
        return hub.slug


def add_page(app) -> None:
    from flask import render_template_string, request
    from flask_login import current_user

    from microhub.extensions import db
    from microhub.hubs.access import hub_for
    from microhub.sponsors.clicks import click_url
    from microhub.sponsors.counting import count_served
    from microhub.sponsors.models import Channel, Listing, ListingRevision, Placement, PlacementStatus

    def page(slug: str, mode: str):
        hub = hub_for(slug)
        placements = db.session.execute(
            db.select(Placement, ListingRevision).join(Listing, Listing.id == Placement.listing_id)
            .join(ListingRevision, ListingRevision.id == Listing.live_id)
            .where(Placement.hub_id == hub.id, Placement.status == PlacementStatus.LIVE).order_by(Placement.id)).all()
        if mode == "on":
            urls = count_served([p for p, _ in placements], hub_id=hub.id, request=request, user=current_user)
        else:
            urls = {p.id: click_url(p.id, hub.id, Channel.WEB, counted=False) for p, _ in placements}
        return render_template_string(PAGE, hub=hub, placements=placements, urls=urls)

    app.add_url_rule("/bench/sponsored/<slug>/<mode>", "bench_sponsored", page)


def measure(client, paths: dict[str, str | tuple]) -> dict[str, float]:
    """Requests per second of each path (or (client, path)), requests taking turns one by one (a busy neighbour
    slows both alike)."""
    paths = {name: target if isinstance(target, tuple) else (client, target) for name, target in paths.items()}
    spent = dict.fromkeys(paths, 0.0)
    for n in range(REQUESTS):
        for name, (client, path) in (paths.items() if n % 2 else reversed(paths.items())):
            started = time.perf_counter()
            client.get(path, environ_base={"REMOTE_ADDR": f"10.{n % 500 // 250}.{n % 250}.1"},
                       headers={"User-Agent": AGENT})
            spent[name] += time.perf_counter() - started
    return {name: REQUESTS / seconds for name, seconds in spent.items()}


def main() -> None:
    from redis import Redis

    from microhub.app import create_app

    Redis.from_url(REDIS).flushdb()
    with bench_database() as url:
        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": REDIS})
        slug = seed(app)
        add_page(app)
        client = app.test_client()
        for mode in ("on", "off"):
            page = client.get(f"/bench/sponsored/{slug}/{mode}", headers={"User-Agent": AGENT}).get_data(as_text=True)
            assert page.count("/s/c/") == 6, page
        results = {"on": [], "off": []}
        for _ in range(ROUNDS):
            for mode, figure in measure(client, {m: f"/bench/sponsored/{slug}/{m}" for m in results}).items():
                results[mode].append(figure)
        on, off = statistics.median(results["on"]), statistics.median(results["off"])
        print(f"page with 3 live placements: counting on {on:.0f} req/s, off {off:.0f} req/s "
              f"(median of {ROUNDS} rounds of {REQUESTS}); ratio {on / off:.2f} (target >= 0.90)")
        hub_page(app, url, slug)


def hub_page(counting, url: str, slug: str) -> None:
    """The real public hub page, served by two apps on one database taking turns: one counting in Redis, one without
    REDIS_URL (the same page, links signed, nothing counted)."""
    from microhub.app import create_app

    quiet = create_app("test", {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": ""})
    paths = {"on": (counting.test_client(), f"/h/{slug}"), "off": (quiet.test_client(), f"/h/{slug}")}
    for client, path in paths.values():
        assert client.get(path, headers={"User-Agent": AGENT}).get_data(as_text=True).count("/s/c/") >= 3
    results = {"on": [], "off": []}
    for _ in range(ROUNDS):
        for mode, figure in measure(None, paths).items():
            results[mode].append(figure)
    on, off = statistics.median(results["on"]), statistics.median(results["off"])
    print(f"public hub page /h/<slug> with 3 live placements: counting on {on:.0f} req/s, off {off:.0f} req/s "
          f"(median of {ROUNDS} rounds of {REQUESTS}); ratio {on / off:.2f} (target >= 0.90)")


if __name__ == "__main__":
    main()
