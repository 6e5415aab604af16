"""Each hub's ledger groups form a SHA-256 chain: a group's hash covers the previous hash and its own content."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from ..extensions import db
from .models import LedgerEntry, LedgerGroup, LedgerHead, LedgerMonthTotal

#: The `prev_hash` of a hub's first group.
GENESIS = "0" * 64


def content(group: LedgerGroup, entries) -> dict:
    """Everything a group says, in a canonical form: the hash covers all of it."""
    return {
        "hub_id": group.hub_id, "seq": group.seq, "kind": group.kind.value, "source": [group.source_type,
                                                                                         group.source_ref],
        "charge_ref": group.charge_ref, "occurred_at": group.occurred_at.isoformat(),
        "month": group.month.isoformat(), "adjustment": bool(group.adjustment), "memo": group.memo,
        "reason": group.reason, "reverses_id": group.reverses_id, "details": group.details or {},
        "actor": group.actor,
        "entries": sorted([e.account.value, e.currency, int(e.amount_minor)] for e in entries),
    }


def digest(prev_hash: str, body: dict) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


@dataclass
class Verification:
    hub_id: int
    groups: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(hub_id: int) -> Verification:
    """Recompute one hub's chain from its rows: every hash, every link, every group's sum, and the head."""
    result = Verification(hub_id)
    prev, expected_seq = GENESIS, 1
    groups = db.session.scalars(db.select(LedgerGroup).where(LedgerGroup.hub_id == hub_id)
                                .options(db.selectinload(LedgerGroup.entries)).order_by(LedgerGroup.seq))
    for group in groups:
        result.groups += 1
        where = f"group {group.id} (#{group.seq})"
        if group.seq != expected_seq:
            result.problems.append(f"{where}: expected #{expected_seq} in the chain")
        if group.prev_hash != prev:
            result.problems.append(f"{where}: does not follow the group before it")
        if digest(group.prev_hash, content(group, group.entries)) != group.hash:
            result.problems.append(f"{where}: its content does not match its hash (changed after it was written)")
        sums: dict[str, int] = {}
        for entry in group.entries:
            sums[entry.currency] = sums.get(entry.currency, 0) + entry.amount_minor
            if entry.month != group.month or entry.hub_id != group.hub_id:
                result.problems.append(f"{where}: entry {entry.id} disagrees with its group's hub or month")
        if any(sums.values()) or not group.entries:
            result.problems.append(f"{where}: entries do not sum to zero per currency ({sums})")
        prev, expected_seq = group.hash, group.seq + 1
    head = db.session.get(LedgerHead, hub_id)
    if head is not None and (head.seq, head.hash) != (expected_seq - 1, prev):
        result.problems.append(f"the chain's head says #{head.seq}, but the last group is #{expected_seq - 1}")
    if _sums(LedgerEntry, hub_id) != _sums(LedgerMonthTotal, hub_id):
        result.problems.append("the month totals disagree with the entries they sum")
    return result


def _sums(model, hub_id: int) -> dict:
    rows = db.session.execute(db.select(model.month, model.account, model.currency, db.func.sum(model.amount_minor))
                              .where(model.hub_id == hub_id).group_by(model.month, model.account, model.currency))
    return {(month, account, currency): int(total) for month, account, currency, total in rows if total}
