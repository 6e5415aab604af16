"""A real `microhub worker --burst` process runs what the web side enqueued, against PostgreSQL and Redis."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry

from microhub import jobs
from microhub.extensions import db
from microhub.hubs.models import Hub

from . import jobfuncs
from .jobfuncs import subjects
from .backends import redis_url

ROOT = Path(__file__).resolve().parent.parent
MICROHUB = Path(sys.executable).parent / "microhub"

# A forked worker against a SQLite file is not how MicroHub runs in production.
pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


def run_worker(redis: str, database: str, **settings: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "PYTHONPATH": str(ROOT),  # the worker imports the tests' job functions by name
        "MICROHUB_ENV": "test",
        "REDIS_URL": redis,
        "DATABASE_URL": database,
        **settings,
    }
    result = subprocess.run([str(MICROHUB), "worker", "--burst"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_worker_process_runs_a_job_enqueued_after_commit_and_its_effect_is_in_the_database(app, app_factory, db_url):
    url = redis_url()
    web = app_factory(REDIS_URL=url)
    with web.app_context():
        hub = Hub(slug="worker-hub", name="Worker hub", purpose="Proves the worker runs jobs.", cap=10)
        db.session.add(hub)
        db.session.flush()
        jobs.enqueue(jobfuncs.note_hub, hub.id)
        db.session.commit()
    assert subjects() == []  # queued for the worker, not run by the web side
    assert Queue(jobs.DEFAULT, connection=Redis.from_url(url)).count == 1

    run_worker(url, db_url)

    assert subjects() == ["saw worker-hub"]
    assert Queue(jobs.DEFAULT, connection=Redis.from_url(url)).count == 0


def test_job_that_raises_ends_in_the_failed_registry_with_its_traceback_and_leaves_no_rows(app, app_factory, db_url):
    url = redis_url()
    web = app_factory(REDIS_URL=url)
    with web.app_context():
        jobs.enqueue(jobfuncs.explode, "worker kaboom 7", job_id="explode-in-worker")

    run_worker(url, db_url)

    conn = Redis.from_url(url)
    assert FailedJobRegistry(jobs.DEFAULT, connection=conn).get_job_ids() == ["explode-in-worker"]
    job = Job.fetch("explode-in-worker", connection=conn)
    assert job.is_failed
    traceback = job.latest_result().exc_string
    assert "RuntimeError: worker kaboom 7" in traceback and "tests/jobfuncs.py" in traceback
    assert subjects() == []  # the row the job flushed before raising was rolled back
