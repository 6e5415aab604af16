"""Which requests come from bots: crawlerdetect's maintained list of user agents, and no user agent at all."""
from __future__ import annotations

import threading
from functools import lru_cache

from crawlerdetect import CrawlerDetect

# CrawlerDetect keeps the agent it last looked at on the instance: one instance per thread.
_local = threading.local()


def is_bot(user_agent: str | None) -> bool:
    """True for crawlers, spiders, monitors and HTTP libraries, and for a missing user agent (browsers send one)."""
    if not user_agent or not user_agent.strip():
        return True
    return _crawler(user_agent[:1000])


@lru_cache(maxsize=4096)
def _crawler(user_agent: str) -> bool:
    """The list's verdict on one agent, remembered per process: visitors send few distinct agents, and matching
    the list costs more than the rest of counting a view."""
    detector = getattr(_local, "detector", None)
    if detector is None:
        detector = _local.detector = CrawlerDetect()
    return bool(detector.is_crawler(user_agent))
