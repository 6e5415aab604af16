"""A small fake of Stripe's HTTP API: records every request and answers Stripe-shaped JSON."""
from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .fake_stripe_billing import Billing
from .fake_stripe_checkout import Checkouts

#: Any parameter containing this makes the fake answer 402 with a card error, as Stripe does for a decline.
FAIL = "trigger-402"


@dataclass
class Request:
    method: str
    path: str
    params: dict  # flat, as sent: {"metadata[hold_id]": "7", "line_items[0][price]": "price_1"}
    headers: dict
    form: dict = field(default_factory=dict)  # the same, nested

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("Idempotency-Key")


def nest(flat: dict) -> dict:
    """Stripe's form encoding back to objects: a[b][0][c]=v → {"a": {"b": [{"c": v}]}}."""
    root: dict = {}
    for key, value in flat.items():
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part, following in zip(parts, parts[1:]):
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node):
    if isinstance(node, dict):
        node = {k: _lists(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            return [node[k] for k in sorted(node, key=int)]
    return node


class FakeStripe(Billing, Checkouts):
    """Stripe's API as far as MicroHub uses it; `events` holds what Stripe would send to the webhook."""

    def __init__(self):
        self.requests: list[Request] = []
        self.objects: dict[str, dict] = {}
        # idempotency key → (request parameters, first answer), as Stripe keeps them for 24 hours
        self._replies: dict[str, tuple[dict, tuple[int, dict]]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._init_checkouts()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def clock() -> float:
        return time.time()  # time_machine moves it, as a test moves the request's moment

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def add(self, prefix: str, kind: str, **data) -> dict:
        obj = {"id": f"{prefix}_{next(self._ids)}", "object": kind, "created": int(time.time()), "livemode": False,
               "metadata": {}, **data}
        self.objects[obj["id"]] = obj
        return obj

    def expanded(self, obj: dict, paths: list[str]) -> dict:
        """`obj` with the ids named by each dotted `expand` path replaced by their objects, as Stripe does."""
        obj = json.loads(json.dumps(obj))
        for dotted in paths:
            node, parts = obj, dotted.split(".")
            for part in parts:
                if isinstance(node.get(part), str) and node[part] in self.objects:
                    node[part] = json.loads(json.dumps(self.objects[node[part]]))
                node = node.get(part) if isinstance(node.get(part), dict) else {}
        return obj

    def balance_page(self, form: dict) -> dict:
        """One page of balance transactions, newest first, filtered by `created`, after `starting_after`."""
        created = form.get("created") or {}
        found = sorted((o for o in self.objects.values() if o["object"] == "balance_transaction"
                        and int(created.get("gte", 0)) <= o["created"] < int(created.get("lt", 2**40))),
                       key=lambda o: (o["created"], o["id"]), reverse=True)
        if form.get("starting_after"):
            found = found[[o["id"] for o in found].index(form["starting_after"]) + 1:]
        limit = int(form.get("limit", 10))
        data = [self.expanded(o, ["source"] if "data.source" in (form.get("expand") or []) else []) for o in found]
        return {"object": "list", "url": "/v1/balance_transactions", "has_more": len(found) > limit,
                "data": data[:limit]}

    def paid_invoice(self, *, amount: int, fee: int, currency: str = "eur", settled_in: str | None = None,
                     via: str = "payment_intent") -> dict:
        """An invoice paid through a charge with its balance transaction, as Stripe keeps them (API endive)."""
        txn = self.add("txn", "balance_transaction", amount=amount, fee=fee, net=amount - fee,
                       currency=settled_in or currency, type="charge", status="available")
        charge = self.add("ch", "charge", amount=amount, currency=currency, balance_transaction=txn["id"],
                          paid=True, amount_refunded=0)
        txn["source"] = charge["id"]
        intent = self.add("pi", "payment_intent", amount=amount, currency=currency, latest_charge=charge["id"])
        invoice = self.add("in", "invoice", status="paid", amount_paid=amount, currency=currency)
        payment = {"type": via, via: intent["id"] if via == "payment_intent" else charge["id"]}
        self.add("inpay", "invoice_payment", invoice=invoice["id"], status="paid", payment=payment)
        return invoice

    def refund(self, form: dict) -> tuple[int, dict]:
        """A refund; one of a charge for an `amount` moves the charge's cumulative `amount_refunded`, adds the
        refund's balance transaction and sends `charge.refunded`, as Stripe does."""
        charge = self.objects.get(form.get("charge", ""))
        if charge is None or "amount" not in form:
            return 200, self.add("re", "refund", status="succeeded", **form)
        amount = int(form["amount"])
        if amount <= 0 or charge["amount_refunded"] + amount > charge["amount"]:
            return _error(400, "invalid_request_error", "Refund amount is greater than unrefunded amount on charge.",
                          "amount_too_large")
        txn = self.add("txn", "balance_transaction", amount=-amount, fee=0, net=-amount, currency=charge["currency"],
                       type="refund", status="available", reporting_category="refund")
        refund = self.add("re", "refund", status="succeeded", balance_transaction=txn["id"], **form)
        txn["source"] = refund["id"]
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        self.emit("charge.refunded", charge)
        return 200, refund

    def calls(self, method: str, path: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path == path]

    # -- the API -----------------------------------------------------------------------------------
    def handle(self, method: str, path: str, form: dict) -> tuple[int, dict]:
        if method == "POST" and path == "/v1/products":
            return 200, self.add("prod", "product", name=form["name"], metadata=form.get("metadata", {}), active=True)
        if method == "POST" and path == "/v1/prices":
            return 200, self.add("price", "price", product=form["product"], unit_amount=int(form["unit_amount"]),
                                 currency=form["currency"], recurring=form.get("recurring"),
                                 metadata=form.get("metadata", {}))
        if (reply := self.route_billing(method, path, form)) is not None:
            return reply
        if path.startswith(("/v1/coupons", "/v1/checkout/sessions")):
            return self.route_checkout(method, path, form)
        if match := re.fullmatch(r"/v1/subscriptions/([^/]+)", path):
            sub = self.objects.get(match[1])
            if sub is None:
                return _error(404, "invalid_request_error", f"No such subscription: '{match[1]}'", "resource_missing")
            if method == "DELETE":
                if sub["status"] == "canceled":
                    return _error(400, "invalid_request_error", "This subscription has already been canceled.", None)
                sub["status"] = "canceled"
            elif method == "POST" and "cancel_at_period_end" in form:
                sub["cancel_at_period_end"] = form["cancel_at_period_end"] == "true"
            return 200, sub
        if method == "GET" and path == "/v1/invoice_payments":
            found = [o for o in self.objects.values() if o["object"] == "invoice_payment"
                     and o["invoice"] == form.get("invoice")]
            return 200, {"object": "list", "url": path, "has_more": False, "data": found}
        if method == "GET" and path == "/v1/balance_transactions":
            return 200, self.balance_page(form)
        if method == "GET" and (match := re.fullmatch(r"/v1/(payment_intents|charges|balance_transactions)/([^/]+)",
                                                       path)):
            obj = self.objects.get(match[2])
            if obj is None:
                return _error(404, "invalid_request_error", f"No such object: '{match[2]}'", "resource_missing")
            return 200, self.expanded(obj, form.get("expand") or [])
        if method == "POST" and path == "/v1/refunds":
            return self.refund(form)
        if method == "POST" and path == "/v1/billing_portal/sessions":
            session = self.add("bps", "billing_portal.session", **form)
            session["url"] = f"{self.url}/portal/{session['id']}"
            return 200, session
        return _error(404, "invalid_request_error", f"Unrecognized request URL ({method}: {path})", None)

    def serve(self, method: str, raw_path: str, headers: dict, body: str) -> tuple[int, dict]:
        url = urlsplit(raw_path)
        params = dict(parse_qsl(url.query if method in ("GET", "DELETE") else body, keep_blank_values=True))
        request = Request(method, url.path, params, headers, nest(params))
        with self._lock:
            self.requests.append(request)
            if any(FAIL in value for value in params.values()):
                return _error(402, "card_error", "Your card was declined.", "card_declined")
            if request.idempotency_key in self._replies:
                first_params, reply = self._replies[request.idempotency_key]
                if first_params != (method, url.path, params):
                    # Stripe refuses a key reused for another request rather than replaying the first answer.
                    return _error(400, "idempotency_error", "Keys for idempotent requests can only be used with the "
                                  "same parameters they were first used with.", None)
                return reply
            reply = self.handle(method, url.path, request.form)
            if request.idempotency_key and method == "POST":
                self._replies[request.idempotency_key] = ((method, url.path, params), reply)
            return reply


def _error(status: int, kind: str, message: str, code: str | None) -> tuple[int, dict]:
    return status, {"error": {"type": kind, "message": message, "code": code}}


def _handler(fake: FakeStripe):
    class Handler(BaseHTTPRequestHandler):
        def _any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            status, payload = fake.serve(self.command, self.path, dict(self.headers.items()), body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_fake_{len(fake.requests)}")
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _any

        def log_message(self, *args):  # keep test output quiet
            pass

    return Handler
