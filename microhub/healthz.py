"""GET /healthz: 200 when the database and the queue answer, 503 naming which does not.

The page is public, so it names only the kind of failure; the driver's message (hosts, ports,
database names) goes to the log for operators.
"""
from flask import Blueprint, current_app, jsonify
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .jobs import redis_connection

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    problems = {}
    try:
        db.session.execute(db.text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        problems["database"] = _unreachable("database", exc)
    conn = redis_connection()
    if conn is not None:
        try:
            conn.ping()
        except RedisError as exc:
            problems["queue"] = _unreachable("queue", exc)
    queue = "redis" if current_app.config["REDIS_URL"] else "inline"
    if problems:
        return jsonify(status="unavailable", problems=problems, queue=queue), 503
    return jsonify(status="ok", queue=queue)


def _unreachable(what: str, exc: Exception) -> str:
    current_app.logger.warning("healthz: %s unreachable: %s", what, exc)
    return f"{type(exc).__name__}: the {what} does not answer"
