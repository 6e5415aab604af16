"""A sponsor's listing in a hub: each save is a new revision waiting for an organizer; members see only the
approved one (`Listing.live_id`)."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .. import audit
from ..accounts.models import User
from ..database import added_unless_taken, update_where, utcnow
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..forms import flattened, one_line
from ..hubs.access import found_in_hub
from ..hubs.models import Hub
from . import logos
from .models import Listing, ListingRevision, ReviewStatus as R, Sponsor
from .notices import tell_organizers, tell_sponsor


@dataclass(frozen=True)
class ListingInfo:
    name: str
    link: str
    helps_with: str
    member_perk: str | None = None


def check_link(link: str | None) -> str:
    """An http or https address with a host; anything else (javascript:, data:, relative) is refused."""
    link = (link or "").strip()
    parts = urlsplit(link) if one_line(link) and len(link) <= 500 else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in link:
        raise ValidationFailed("Give a web address starting with https:// (or http://), at most 500 characters.",
                               field="link")
    return link


def _text(value: str | None, field: str, most: int, *, required: bool, what: str) -> str | None:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(f"Write {what}.", field=field)
    if len(value) > most:
        raise ValidationFailed(f"Use at most {most} characters.", field=field)
    return value or None


def listing_of(sponsor_id: int, hub_id: int) -> Listing | None:
    return db.session.scalar(db.select(Listing).filter_by(sponsor_id=sponsor_id, hub_id=hub_id))


def latest(listing: Listing | None) -> ListingRevision | None:
    """The newest revision (pending, approved or rejected), or None."""
    if listing is None:
        return None
    return db.session.scalar(db.select(ListingRevision).filter_by(listing_id=listing.id)
                             .where(ListingRevision.status != R.SUPERSEDED).order_by(ListingRevision.id.desc()))


def save(sponsor: Sponsor, hub: Hub, info: ListingInfo, upload=None, *, actor: User) -> ListingRevision:
    """A new pending revision of the sponsor's listing in `hub` (an older pending one is superseded). Without a
    new logo, the newest revision's logo stays. Flushes."""
    name = flattened(info.name)
    if not name or len(name) > 120:
        raise ValidationFailed("Write the name members see, at most 120 characters.", field="name")
    link = check_link(info.link)
    helps = _text(info.helps_with, "helps_with", 1000, required=True, what="what you bring members")
    perk = _text(info.member_perk, "member_perk", 500, required=False, what="the perk")
    logo = logos.checked(upload)
    listing = listing_of(sponsor.id, hub.id)
    if listing is None:
        added_unless_taken(Listing(sponsor_id=sponsor.id, hub_id=hub.id))
        listing = listing_of(sponsor.id, hub.id)
    before = latest(listing)
    stored = logos.store(logo) if logo else (before.logo if before else None)
    db.session.execute(db.update(ListingRevision).where(ListingRevision.listing_id == listing.id,
                                                        ListingRevision.status == R.PENDING)
                       .values(status=R.SUPERSEDED).execution_options(synchronize_session="fetch"))
    revision = ListingRevision(listing_id=listing.id, name=name, logo=stored, link=link, helps_with=helps,
                               member_perk=perk, submitted_by_id=actor.id)
    db.session.add(revision)
    db.session.flush()
    audit.record("listing.submitted", revision, actor=actor, hub_id=hub.id, sponsor=sponsor.id)
    tell_organizers(hub, f"{sponsor.name} sent a listing for {hub.name} to review", what=f"a listing ({name})",
                    sponsor=sponsor)
    return revision


def pending(hub: Hub) -> list[ListingRevision]:
    return list(db.session.scalars(db.select(ListingRevision).join(Listing, ListingRevision.listing_id == Listing.id)
                                   .where(Listing.hub_id == hub.id, ListingRevision.status == R.PENDING)
                                   .order_by(ListingRevision.id)))


def _pending_in(hub: Hub, revision_id) -> ListingRevision:
    revision = found_in_hub(ListingRevision, revision_id, "That listing change is not waiting in this hub.", lock=True)
    if revision.listing.hub_id != hub.id:
        raise NotFound("That listing change is not waiting in this hub.")
    if revision.status is not R.PENDING:
        raise Conflict("That listing change was decided already, or replaced by a newer one.")
    return revision


def approve(hub: Hub, revision_id, *, actor: User) -> ListingRevision:
    """The revision goes live: members see it from now on. Flushes."""
    revision = _pending_in(hub, revision_id)
    if not update_where(ListingRevision, revision.id, ListingRevision.status == R.PENDING, status=R.APPROVED,
                        decided_by_id=actor.id, decided_at=utcnow()):
        raise Conflict("That listing change was decided already.")
    revision.listing.live_id = revision.id
    db.session.flush()
    audit.record("listing.approved", revision, actor=actor, hub_id=hub.id)
    tell_sponsor(revision.listing.sponsor_id, f"Your listing in {hub.name} is approved", "sponsor_listing_decided",
                 hub=hub, revision=revision, approved=True)
    return revision


def reject(hub: Hub, revision_id, reason: str, *, actor: User) -> ListingRevision:
    """The revision stays out of sight; the sponsor is told why. Flushes."""
    reason = _text(reason, "reason", 1000, required=True, what="why, for the sponsor")
    revision = _pending_in(hub, revision_id)
    if not update_where(ListingRevision, revision.id, ListingRevision.status == R.PENDING, status=R.REJECTED,
                        decided_by_id=actor.id, decided_at=utcnow(), reason=reason):
        raise Conflict("That listing change was decided already.")
    audit.record("listing.rejected", revision, actor=actor, hub_id=hub.id, reason=reason)
    tell_sponsor(revision.listing.sponsor_id, f"Your listing in {hub.name} was not approved",
                 "sponsor_listing_decided", hub=hub, revision=revision, approved=False)
    return revision
