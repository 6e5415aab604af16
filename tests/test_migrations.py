"""Models and migrations agree: autogenerate against a migrated database finds nothing to do."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from microhub.extensions import db


def test_migrated_database_matches_the_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
