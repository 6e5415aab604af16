"""The seat counter: the only code that changes `Hub.seats_taken`, so the cap holds under any load."""
from __future__ import annotations

from ..database import give_back_one, take_one
from ..hubs.models import Hub


def take_seat(hub_id: int) -> bool:
    """Take one seat if one is free; False when the hub is full."""
    return take_one(Hub.seats_taken, Hub.cap, hub_id)


def release_seat(hub_id: int) -> None:
    """Give one seat back."""
    give_back_one(Hub.seats_taken, hub_id)
