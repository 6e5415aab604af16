"""The public hub page and its JSON run a fixed number of SQL statements, however many members there are."""
import pytest
from sqlalchemy import event

from microhub.extensions import db

from ..factories import member_of
from ..payments.helpers import hub_with_plan


def statements_for(app, client, path: str) -> int:
    seen = []

    def count(*args):
        seen.append(args[2])

    with app.app_context():  # the serving app's engine, not the test's own
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


@pytest.mark.parametrize("path", ["/h/{slug}", "/api/v1/hubs/{slug}"])
def test_public_hub_queries_do_not_grow_with_members(app, client, path):
    hub, _ = hub_with_plan(cap=50)
    member_of(hub)
    url = path.format(slug=hub.slug)
    few = statements_for(app, client, url)
    for _ in range(20):
        member_of(hub)
    assert 1 <= statements_for(app, client, url) == few <= 4
