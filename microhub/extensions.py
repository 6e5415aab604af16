"""Bare extension instances; `app.create_app` binds them to an application."""
from flask import g
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as _FlaskSession
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints let SQLite batch migrations drop and recreate them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: Set in `g` by `database.reads_only` for a view that only reads.
READS_ONLY = "microhub_reads_only"


class Session(_FlaskSession):
    """Flask-SQLAlchemy's session; during a view marked `database.reads_only` its statements run autocommitted.

    PostgreSQL reads under READ COMMITTED take a fresh snapshot per statement anyway: what a reading view loses
    without a transaction is only the BEGIN and ROLLBACK round trips around its statements. The engine is the
    same (same pool), with the isolation level SQLAlchemy sets on checkout and resets on return."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        engine = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        if bind is not None or not g or not g.get(READS_ONLY):
            return engine
        made = engine.__dict__.get("_microhub_autocommit")  # made once per engine, kept on it (freed with it)
        if made is None:
            made = engine._microhub_autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        return made


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
