"""The `microhub` console script: Flask's CLI bound to the MicroHub application factory."""
from flask.cli import FlaskGroup

from .app import create_app


def _factory():
    return create_app()


main = FlaskGroup(name="microhub", create_app=_factory, help="Run and manage MicroHub.")
