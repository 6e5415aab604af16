"""Absolute links for e-mails and payment redirects, built with or without a request."""
from flask import current_app


def external_url(endpoint: str, **values) -> str:
    # Workers have no request to take a host from; MICROHUB_BASE_URL names the public address.
    path = current_app.url_map.bind("localhost", script_name="/").build(endpoint, values)
    return current_app.config["MICROHUB_BASE_URL"] + path
