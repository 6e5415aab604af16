"""A small keep-alive HTTP load generator: N client processes, each posting prepared requests."""
from __future__ import annotations

import http.client
import time
from multiprocessing import Pool


def _worker(args):
    port, path, requests = args
    conn = http.client.HTTPConnection("127.0.0.1", port)
    ok = 0
    for body, headers in requests:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        ok += response.status == 200
    conn.close()
    return ok


def post_all(port: int, path: str, requests: list[tuple[bytes, dict]], clients: int = 4) -> tuple[float, int]:
    """Send every request once, spread over `clients` processes; return (requests per second, 200s)."""
    chunks = [requests[i::clients] for i in range(clients)]
    with Pool(clients) as pool:
        start = time.perf_counter()
        ok = sum(pool.map(_worker, [(port, path, chunk) for chunk in chunks]))
        elapsed = time.perf_counter() - start
    return len(requests) / elapsed, ok
