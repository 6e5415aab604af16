"""A member's hub page keeps the hub's rituals per process for at most HUB_PAGE_CACHE_SECONDS (1 s; the promise is
2 s): a ritual added, renamed or given a new link shows within that bound, and a kept list reads no ritual row."""
import pytest

from microhub.extensions import db
from microhub.hubs.rituals import Ritual, RitualInfo, add_ritual

from ..factories import member_of
from ..helpers import signed_in
from ..payments.helpers import hub_with_plan
from .test_cache_hub_face import eventually

RITUAL = dict(title="Weekly call", weekday="1", starts_at="19:00", duration_minutes="60", link="https://meet.example/a")


@pytest.fixture
def cached(app_factory):
    return app_factory(HUB_PAGE_CACHE_SECONDS=1.0)


def test_a_kept_ritual_list_reads_no_ritual_row_and_follows_every_change_within_the_bound(cached):
    from sqlalchemy import event

    hub, _ = hub_with_plan(cap=5)
    me = member_of(hub)
    add_ritual(hub, RitualInfo(**RITUAL), actor=None)
    db.session.commit()
    client = signed_in(cached, me)
    url = f"/h/{hub.slug}"
    assert "Join: Weekly call" in client.get(url).get_data(as_text=True)
    seen = []
    with cached.app_context():
        engine = db.engine
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert "Join: Weekly call" in client.get(url).get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert not [s for s in seen if "FROM hub_rituals" in s]  # kept: no ritual read within the second

    ritual = db.session.scalar(db.select(Ritual).filter_by(hub_id=hub.id))
    ritual.title, ritual.link = "Friday demos", "https://meet.example/b"
    db.session.commit()
    eventually(client, url, lambda r: 'href="https://meet.example/b"' in r.get_data(as_text=True)
               and "Join: Friday demos" in r.get_data(as_text=True))
    add_ritual(hub, RitualInfo(**{**RITUAL, "title": "Monday goals", "weekday": "0"}), actor=None)
    db.session.commit()
    eventually(client, url, lambda r: "Monday goals" in r.get_data(as_text=True))
    db.session.delete(db.session.get(Ritual, ritual.id))
    db.session.commit()
    eventually(client, url, lambda r: "Friday demos" not in r.get_data(as_text=True))
