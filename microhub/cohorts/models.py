"""Cohorts: small fixed-length groups in a hub, their generated sessions, enrollments, check-ins and feeds.

Times are stored in UTC. The scheduler's exactly-once markers live on these rows: a cohort's `status`
moves open -> running -> completed once, and each session's `reminded_24h_at`, `reminded_1h_at` and
`prompted_at` are set by the one conditional UPDATE that wins the right to send that notice.
"""
from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, Time, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow, value_enum
from ..extensions import db


class CohortFormat(str, enum.Enum):
    CIRCLE = "circle"
    POD = "pod"
    EXCHANGE = "exchange"

    @property
    def label(self) -> str:
        return {"circle": "Cohort circle", "pod": "Accountability pod", "exchange": "Skill exchange"}[self.value]


class CohortStatus(str, enum.Enum):
    #: Taking enrollments until `starts_at`.
    OPEN = "open"
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELED = "canceled"


class Cohort(db.Model):
    __tablename__ = "cohorts"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("seats_taken >= 0", name="seats_taken_not_negative"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_in_week"),
        CheckConstraint("weeks BETWEEN 1 AND 52", name="weeks_in_range"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        # What the tick looks for: open cohorts whose start came, running ones whose last session ended.
        Index("ix_cohorts_due_start", "starts_at", sqlite_where=text("status = 'open'"),
              postgresql_where=text("status = 'open'")),
        Index("ix_cohorts_due_end", "ends_at", sqlite_where=text("status = 'running'"),
              postgresql_where=text("status = 'running'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    #: The one shared goal everyone works toward.
    goal: Mapped[str] = mapped_column(Text)
    format: Mapped[CohortFormat] = mapped_column(value_enum(CohortFormat, 20), default=CohortFormat.CIRCLE)
    capacity: Mapped[int] = mapped_column(default=8)
    #: Enrolled people; changed only by `cohorts.enrollment` through a conditional UPDATE.
    seats_taken: Mapped[int] = mapped_column(default=0)
    #: The rules the sessions were generated from, in the cohort's own time zone.
    start_date: Mapped[date] = mapped_column(Date)
    weeks: Mapped[int] = mapped_column(default=6)
    #: 0 is Monday, as in Python's `date.weekday()`.
    weekday: Mapped[int]
    local_time: Mapped[time] = mapped_column(Time)
    duration_minutes: Mapped[int]
    timezone: Mapped[str] = mapped_column(String(64))
    #: Shown to enrolled members and staff only.
    meeting_link: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[CohortStatus] = mapped_column(value_enum(CohortStatus, 20), default=CohortStatus.OPEN)
    #: Midnight of `start_date` in `timezone`: enrollment closes and the tick starts the cohort.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: End of the last session: the tick completes the cohort and sends the retro.
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    hub = relationship("Hub")
    sessions: Mapped[list[CohortSession]] = relationship(
        back_populates="cohort", order_by="CohortSession.week", cascade="all, delete-orphan")

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def over(self) -> bool:
        """Completed or canceled: nothing about it changes any more."""
        return self.status in (CohortStatus.COMPLETED, CohortStatus.CANCELED)

    @property
    def accepts_enrollment(self) -> bool:
        return self.status is CohortStatus.OPEN and utcnow() < self.starts_at

    def __repr__(self) -> str:
        return f"<Cohort {self.id} {self.title!r}>"


class SessionStatus(str, enum.Enum):
    SCHEDULED = "scheduled"
    CANCELED = "canceled"


class CohortSession(db.Model):
    """One weekly meeting. Its markers say which notices have been dealt with (sent, or skipped as moot)."""

    __tablename__ = "cohort_sessions"
    __table_args__ = (
        UniqueConstraint("cohort_id", "week", name="one_session_per_week"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_cohort_sessions_due_24h", "starts_at", sqlite_where=text("reminded_24h_at IS NULL"),
              postgresql_where=text("reminded_24h_at IS NULL")),
        Index("ix_cohort_sessions_due_1h", "starts_at", sqlite_where=text("reminded_1h_at IS NULL"),
              postgresql_where=text("reminded_1h_at IS NULL")),
        Index("ix_cohort_sessions_due_prompt", "ends_at", sqlite_where=text("prompted_at IS NULL"),
              postgresql_where=text("prompted_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    #: 1 for the first week.
    week: Mapped[int]
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[SessionStatus] = mapped_column(value_enum(SessionStatus, 20), default=SessionStatus.SCHEDULED)
    #: iCalendar SEQUENCE: raised on every move or cancellation so calendars take the update.
    sequence: Mapped[int] = mapped_column(default=0)
    #: True once an organizer moved it off the generated time.
    moved: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    reminded_24h_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_1h_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The week's check-in prompt, due when the session ends.
    prompted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    cohort: Mapped[Cohort] = relationship(back_populates="sessions")

    @property
    def canceled(self) -> bool:
        return self.status is SessionStatus.CANCELED


class EnrollmentStatus(str, enum.Enum):
    ENROLLED = "enrolled"
    #: On the cohort's own waitlist, in `id` order.
    WAITING = "waiting"
    LEFT = "left"
    #: Still waiting when the cohort started.
    MISSED = "missed"


class Enrollment(db.Model):
    __tablename__ = "cohort_enrollments"
    __table_args__ = (
        UniqueConstraint("cohort_id", "user_id", name="one_enrollment_per_person"),
        Index("ix_cohort_enrollments_cohort_status", "cohort_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[EnrollmentStatus] = mapped_column(value_enum(EnrollmentStatus, 20))
    #: When the person joined the line or took the seat; the waitlist is served in this order.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    cohort: Mapped[Cohort] = relationship()
    user = relationship("User")


class CheckIn(db.Model):
    """A member's weekly note: progress, blocker, next step. One per person per week."""

    __tablename__ = "cohort_checkins"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id", "week", name="one_checkin_per_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    week: Mapped[int]
    progress: Mapped[str] = mapped_column(Text)
    blocker: Mapped[str] = mapped_column(Text, default="")
    next_step: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user = relationship("User")
    replies: Mapped[list[CheckInReply]] = relationship(
        back_populates="checkin", order_by="CheckInReply.id", cascade="all, delete-orphan")


class CheckInReply(db.Model):
    __tablename__ = "cohort_checkin_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("cohort_checkins.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    checkin: Mapped[CheckIn] = relationship(back_populates="replies")
    user = relationship("User")


class Retro(db.Model):
    """The closing retro: what worked, what didn't, what the member won. One per person per cohort."""

    __tablename__ = "cohort_retros"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id", name="one_retro_per_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    worked: Mapped[str] = mapped_column(Text)
    did_not_work: Mapped[str] = mapped_column(Text)
    won: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user = relationship("User")


class CalendarFeed(db.Model):
    """A person's private calendar feed. The URL's secret is derived from `nonce`; a new nonce revokes it."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User")
