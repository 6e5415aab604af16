"""The one engine for bounded places: take one, give one back and offer it to the next in line, and the line.

Hub seats, scholarship seats and cohort places are built on it. A place is taken by one conditional
UPDATE (`database.take_one`), so the limit holds however many people try at once; giving one back needs no
lock. The next person in line is read under a row lock that skips rows a concurrent offer run holds, so
one freed place never goes to two people.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from .database import give_back_one, take_one
from .extensions import db


class Pool:
    """A bounded count of places on one row: `counter` never reaches past `limit`, nor past what `also` allows.

    `also`: further conditions on the same row, checked in the same UPDATE (two pools sharing one cap)."""

    def __init__(self, *, counter, limit, also: tuple = ()):
        #: The row's count of places taken, and the column (or expression) it may not pass: Hub.seats_taken, Hub.cap.
        self.counter, self.limit, self.also = counter, limit, also

    def take(self, row_id: int) -> bool:
        """Take one place on row `row_id` if one is free; False when it is full."""
        return take_one(self.counter, self.limit, row_id, *self.also)

    def give_back(self, row_id: int) -> None:
        """Give one place back without offering it (the caller offers it, or the place was never used)."""
        give_back_one(self.counter, row_id)


class Places(Pool, ABC):
    """A pool of places and the line waiting for them.

    A subclass names its columns and says what a freed place becomes for the person it goes to
    (`hand_over`: an offer to accept, or the place itself) and who no longer qualifies (`still_wants`).
    """

    def __init__(self, *, counter, limit, line_scope, line_order, in_line: tuple, waiting, also: tuple = (),
                 ready: tuple = ()):
        super().__init__(counter=counter, limit=limit, also=also)
        #: Further conditions a row meets to be in the line at all (e.g. ranked by reviewers).
        self.ready = ready
        #: The column naming the row whose places people wait for (e.g. WaitlistEntry.hub_id), and the line's
        #: order, first first; ties go to the older row (lower id).
        self.line_scope, self.line_order = line_scope, line_order
        #: Statuses that count as being in line (for positions and counts), and the one that may be given a place.
        self.in_line, self.waiting = in_line, waiting
        self.model = line_scope.class_

    # -- places ------------------------------------------------------------------------------------------
    def release(self, row_id: int) -> list:
        """Give one place back and offer every free place to the line; returns who was given one."""
        self.give_back(row_id)
        return self.offer_free(row_id)

    def offer_free(self, row_id: int) -> list:
        """Hand every free place on row `row_id` to the next person in line who still wants it, first first."""
        given = []
        while self.take(row_id):  # the place stays taken for the person it goes to
            entry = self.next_in_line(row_id)
            while entry is not None and not self.still_wants(entry):
                entry = self.next_in_line(row_id)
            if entry is None:
                self.give_back(row_id)
                break
            self.hand_over(entry)
            given.append(entry)
        return given

    @abstractmethod
    def still_wants(self, entry) -> bool:
        """False, after taking `entry` out of the line, for someone who no longer needs or may have a place."""

    @abstractmethod
    def hand_over(self, entry) -> None:
        """Give the place just taken to `entry`: the place itself, or an offer that keeps it for them."""

    # -- the line ----------------------------------------------------------------------------------------
    def _in_line(self, row_id: int):
        return (self.line_scope == row_id, self.model.status.in_(self.in_line), *self.ready)

    def count(self, row_id: int) -> int:
        """How many people are in line for row `row_id`'s places."""
        return db.session.scalar(db.select(db.func.count(self.model.id)).where(*self._in_line(row_id)))

    def position(self, entry) -> int:
        """1 for the first in line."""
        order, mine = self.line_order, getattr(entry, self.line_order.key)
        ahead = db.session.scalar(db.select(db.func.count(self.model.id)).where(
            *self._in_line(getattr(entry, self.line_scope.key)),
            db.or_(order < mine, db.and_(order == mine, self.model.id < entry.id))))
        return ahead + 1

    def line(self, row_id: int, *options) -> list:
        """Everyone in line for row `row_id`'s places, first first."""
        return list(db.session.scalars(db.select(self.model).where(*self._in_line(row_id)).options(*options)
                                       .order_by(self.line_order, self.model.id)))

    def next_in_line(self, row_id: int):
        """The first person waiting, locked; rows a concurrent offer run holds are skipped, never shared."""
        return db.session.scalar(
            db.select(self.model).where(self.line_scope == row_id, self.model.status == self.waiting, *self.ready)
            .order_by(self.line_order, self.model.id).limit(1)
            .with_for_update(skip_locked=True).execution_options(populate_existing=True))
