"""A stand-in for the local gateway's event delivery that keeps event ids for a test to deliver later."""
CAPTURED: list[str] = []


def keep_event(event_ref: str) -> None:
    CAPTURED.append(event_ref)
