"""The production entry point: `gunicorn wsgi:app`. Production settings unless MICROHUB_ENV says otherwise."""
import os

from microhub.app import create_app

app = create_app(os.environ.get("MICROHUB_ENV", "production"))
