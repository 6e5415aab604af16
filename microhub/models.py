"""Imports every model so metadata (and Alembic's autogenerate) sees all tables."""
from .accounts.models import LoginSession, User  # noqa: F401
from .email import OutboxMessage  # noqa: F401
from .hubs.models import Hub, HubRole  # noqa: F401
from .hubs.rituals import Ritual  # noqa: F401
from .audit import AuditEntry  # noqa: F401
from .installation import Installation  # noqa: F401
from .billing.local import LocalObject  # noqa: F401
from .billing.models import PaymentEvent, Plan  # noqa: F401
from .memberships.models import Membership, SeatHold, WaitlistEntry, WaitlistOffer  # noqa: F401
from .cohorts.models import CalendarFeed, CheckIn, CheckInReply, Cohort, CohortSession, Enrollment, Retro  # noqa: F401
from .ledger.models import LedgerEntry, LedgerGroup, LedgerHead, LedgerMonthTotal  # noqa: F401
from .ledger.report_models import MonthReport, Reconciliation, ReportOptOut, ReportReminder  # noqa: F401
from .ledger.expense_models import Budget, Expense, ExpenseApproval, MoneySettings  # noqa: F401
from .scholarships.models import Donation, ScholarshipApplication, ScholarshipProgram, ScholarshipReviewer  # noqa: F401
from .sponsors.models import Listing, ListingRevision, Placement, PlacementAdjustment, PlacementDay, Sponsor, SponsorPerson, SponsorToken, SponsorWebhook, Spot  # noqa: F401
