"""The gateway this installation pays through: Stripe with STRIPE_SECRET_KEY, the local test mode without."""
from __future__ import annotations

from flask import current_app

from .gateway import Gateway
from .local import LocalGateway
from .stripe_gateway import StripeGateway


def gateway() -> Gateway:
    cached = current_app.extensions.get("microhub.gateway")
    if cached is None:
        if current_app.config["STRIPE_SECRET_KEY"]:
            cached = StripeGateway(current_app.config["STRIPE_SECRET_KEY"], current_app.config["STRIPE_API_BASE"])
        else:
            cached = LocalGateway()
        current_app.extensions["microhub.gateway"] = cached
    return cached


def local_gateway() -> LocalGateway | None:
    """The test-mode gateway when it is the one in use (its own checkout page is served only then)."""
    active = gateway()
    return active if isinstance(active, LocalGateway) else None
