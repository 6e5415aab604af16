"""Every form, every field, bad values: a clear 4xx (or a refusal page), never a 500, and nothing changes."""
from __future__ import annotations

from datetime import timedelta

import pytest

from microhub.cohorts.services import today_in

from ..helpers import signed_in
from . import corpus as c

DAY = (today_in("Europe/Berlin") + timedelta(days=10)).isoformat()
TODAY = today_in("Europe/Berlin").isoformat()


def forms(w: c.World) -> list[tuple[str, str, dict, dict]]:
    """(who, url, valid data, {field: bad values}); each bad value replaces one field of otherwise valid data."""
    hub, cohort = f"/h/{w.hub.slug}", f"/h/{w.hub.slug}/manage/cohorts/{w.cohort.id}"
    settings = {"name": "Corpus hub", "purpose": "Testing input.", "cap": "30", "currency": "EUR",
                "timezone": "Europe/Berlin", "promises": "", "rituals": "", "rules": ""}
    settings_bad = {"name": c.ONE_LINE, "purpose": c.ONE_LINE, "cap": c.CAP, "currency": c.ENUM, "timezone": c.ZONE,
                    "promises": c.TEXT, "rituals": c.TEXT, "rules": c.TEXT}
    new_cohort = {"title": "Bad input circle", "goal": "Refuse it all.", "format": "pod", "capacity": "6", "weeks": "6",
                  "start_date": DAY, "weekday": "0", "starts_at_time": "19:00", "ends_at_time": "20:30",
                  "timezone": "Europe/Berlin", "meeting_link": "https://meet.example.org/x"}
    money, expense = f"{hub}/manage/money", {"amount": "12.00", "currency": "EUR", "category": "spending.tools",
                                             "spent_on": TODAY, "payee": "Host", "description": "Hosting"}
    expense_bad = {"amount": c.MONEY, "currency": c.ENUM + ["USD"], "category": c.ENUM + ["cash"],
                   "spent_on": c.DATE + ["2001-01-01"], "payee": c.ONE_LINE + [""], "description": c.TEXT + [""]}
    return [
        ("organizer", f"{money}/expenses/new", expense, expense_bad),
        ("organizer", f"{money}/expenses/{w.draft_id}", expense, expense_bad),
        ("organizer", f"{money}/expenses/{w.submitted_id}/reject", {"reason": "Not ours"}, {"reason": c.TEXT + [""]}),
        ("organizer", f"{money}/expenses/{w.paid_id}/correct", {"amount": "13.00", "category": "spending.tools",
                                                                "reason": "Receipt said 13"},
         {"amount": c.MONEY, "category": c.ENUM + ["cash"],
          "reason": c.ONE_LINE + [""]}),
        ("organizer", f"{money}/budgets", {"category": "spending.tools", "amount": "50", "month": "2026-03"},
         {"category": c.ENUM + ["cash"], "amount": [m for m in c.MONEY if m != "0"], "month": c.MONTH}),
        ("organizer", f"{money}/settings", {"two_approvals_above": "100"},
         {"two_approvals_above": [m for m in c.MONEY if m not in ("", "0")]}),
        ("anon", "/signup", {"name": "Rosa", "email": "rosa@example.org", "password": "quiet-river-4821",
                             "timezone": "UTC"},
         {"name": c.ONE_LINE, "email": c.EMAIL, "password": c.ONE_LINE, "timezone": c.ZONE}),
        ("anon", "/login", {"email": w.organizer.email, "password": "wrong-password-1"},
         {"email": c.EMAIL, "password": c.ONE_LINE}),
        ("anon", "/password/forgot", {"email": "rosa@example.org"}, {"email": c.EMAIL}),
        ("organizer", "/account/profile", {"name": "Olu", "timezone": "UTC"}, {"name": c.ONE_LINE, "timezone": c.ZONE}),
        ("organizer", "/hubs/new", {**settings, "slug": "fresh-hub"}, {**settings_bad, "slug": c.SLUG}),
        ("organizer", f"{hub}/manage/settings", settings, settings_bad),
        ("organizer", f"{hub}/manage/team", {"email": "nobody@example.org", "role": "moderator"},
         {"email": c.EMAIL, "role": c.ENUM}),
        ("organizer", f"{hub}/manage/plans", {"name": "Gold", "includes": "All", "price": "12.50", "interval": "month"},
         {"name": c.ONE_LINE, "includes": c.TEXT, "price": c.MONEY, "interval": c.ENUM}),
        ("organizer", f"{hub}/manage/plans/{w.plan.id}", {"name": "Member", "includes": "Everything", "active": "y"},
         {"name": c.ONE_LINE, "includes": c.TEXT}),
        ("organizer", f"{hub}/manage/cohorts/new", new_cohort,
         {"title": c.ONE_LINE, "goal": c.TEXT, "format": c.ENUM, "capacity": c.CAP + ["1", "51"],
          "weeks": c.CAP + ["13"], "start_date": c.DATE, "weekday": c.WEEKDAY, "starts_at_time": c.TIME,
          "ends_at_time": c.TIME + ["18:00"], "timezone": c.ZONE, "meeting_link": c.URL + c.ONE_LINE}),
        ("organizer", cohort, {"title": "Corpus circle", "goal": "Goal", "capacity": "8",
                               "meeting_link": "https://meet.example.org/x"},
         {"title": c.ONE_LINE, "goal": c.TEXT, "capacity": c.CAP, "meeting_link": c.URL}),
        ("organizer", f"{cohort}/sessions/{w.session_id}/move",
         {"day": DAY, "starts_at_time": "10:00", "ends_at_time": "11:00"},
         {"day": c.DATE, "starts_at_time": c.TIME, "ends_at_time": c.TIME}),
        ("organizer", f"{cohort}/remove", {"enrollment_id": str(w.enrollment_id), "reason": "Asked to leave."},
         {"enrollment_id": c.ID, "reason": c.ONE_LINE + [""]}),
        ("organizer", f"{cohort}/cancel", {"reason": "x"}, {"reason": c.TEXT}),
        ("organizer", f"{hub}/manage/waitlist/move", {"entry_id": "1", "position": "1", "reason": "x"},
         {"entry_id": c.ID, "position": c.ID, "reason": c.ONE_LINE}),
        ("member", f"{hub}/leave", {"feedback": "Thanks"}, {"feedback": c.TEXT}),
        ("member", f"/h/{w.hub.slug}/cohorts/{w.cohort.id}/weeks/1",
         {"progress": "Some", "blocker": "", "next_step": "More"},
         {"progress": c.TEXT, "blocker": c.TEXT, "next_step": c.TEXT}),
        ("member", f"/h/{w.hub.slug}/cohorts/{w.cohort.id}/retro", {"worked": "a", "did_not_work": "b", "won": "c"},
         {"worked": c.TEXT, "did_not_work": c.TEXT, "won": c.TEXT}),
        ("visitor", f"{hub}/join", {"plan": str(w.plan.id)}, {"plan": c.ID}),
        ("organizer", f"{hub}/manage/money/reports", {"month": "2026-01", "note": "A quiet month."},
         {"month": c.MONTH, "note": c.TEXT}),
        ("member", f"{hub}/report-emails", {"choice": "stop"}, {"choice": c.ENUM}),
        *scholarship_forms(w),
        *sponsor_forms(w),
    ]


def _not_a_rank(value: str) -> bool:
    return not (value.isdecimal() and 1 <= int(value) <= 10_000)  # "١٢" is a rank to int(): a valid one


def scholarship_forms(w: c.World) -> list[tuple[str, str, dict, dict]]:
    hub = f"/h/{w.hub.slug}"
    manage = f"{hub}/manage/scholarships"
    program = {"seats": "2", "plan_id": str(w.plan.id), "term_months": "12", "deadline": "", "covers": "A seat",
               "who_for": "Students", "questions": "Why?"}
    return [
        ("organizer", f"{manage}/settings", program,
         {"seats": [v for v in c.CAP if v not in ("0", "")] + ["31"], "plan_id": c.ID,
          "term_months": c.CAP + ["25"], "deadline": [d for d in c.DATE if d and not d.startswith("9999")] + ["2001-01-01"],
          "term_ends_on": [d for d in c.DATE if d] + ["2001-01-01"],
          "covers": c.TEXT, "who_for": c.TEXT, "questions": c.TEXT + ["\n".join(["Q?"] * 6)]}),
        ("organizer", f"{manage}/{w.application_id}/rank", {"rank": "1", "kind": "partial", "pays": "5.00"},
         {"rank": [v for v in c.ID if _not_a_rank(v)], "kind": c.ENUM,
          "pays": [m for m in c.MONEY if m] + ["9.00", "12.00"]}),
        ("organizer", f"{manage}/reviewers", {"email": "nobody@example.org"}, {"email": c.EMAIL}),
        ("visitor", f"{hub}/scholarships/apply", {"need": "student", "answer_1": "Because I would learn"},
         {"need": c.ENUM, "answer_1": c.TEXT + ["", "x" * 1001]}),
        ("anon", f"{hub}/scholarships/donate", {"amount": "25", "email": "a@example.org", "show_name": "y",
                                                 "public_name": "Ada"},
         {"amount": c.MONEY + ["0.99", "10000.01"], "email": c.EMAIL, "public_name": c.ONE_LINE}),
    ]


def sponsor_forms(w: c.World) -> list[tuple[str, str, dict, dict]]:
    """The organizer also acts for a sponsor with an approved listing, a pending change and a requested placement."""
    from microhub.sponsors import listings

    from ..sponsors.helpers import approved_listing, make_sponsor, requested, spot_of

    sponsor, person = make_sponsor(person=w.organizer)
    approved_listing(sponsor, w.hub, w.organizer)
    spot = spot_of(w.hub, w.organizer)
    placement = requested(w.hub, sponsor, person, spot)
    pending = listings.save(sponsor, w.hub, listings.ListingInfo("Later", "https://later.example", "More"),
                            actor=person)
    c.db.session.commit()
    home, manage = f"/sponsor/{sponsor.id}", f"/h/{w.hub.slug}/manage/sponsors"
    listing = {"name": "Tools", "link": "https://tools.example", "helps_with": "CI minutes", "member_perk": ""}
    spot_data = {"where": "hub_page", "at_once": "3", "period_days": "30", "price": "150"}
    spot_bad = {"where": c.ENUM, "at_once": c.CAP + ["11"], "period_days": c.CAP + ["367"],
                "price": c.MONEY + ["0.00"]}
    return [
        ("organizer", "/sponsor/new", {"name": "Tools"}, {"name": c.ONE_LINE + [""]}),
        ("organizer", f"{home}/people", {"email": "nobody@example.org"}, {"email": c.EMAIL}),
        ("organizer", f"{home}/hubs/{w.hub.slug}/listing", listing,
         {"name": c.ONE_LINE + [""], "link": c.URL + c.ONE_LINE + [""], "helps_with": c.TEXT + [""],
          "member_perk": c.TEXT}),
        ("organizer", f"{home}/hubs/{w.hub.slug}/placements", {"spot_id": str(spot.id), "starts_on": DAY},
         {"spot_id": c.ID, "starts_on": c.DATE + [TODAY]}),
        ("organizer", f"{manage}/spots", spot_data, spot_bad),
        ("organizer", f"{manage}/spots/{spot.id}", {f"spot{spot.id}-{k}": v for k, v in spot_data.items()},
         {f"spot{spot.id}-{k}": v for k, v in spot_bad.items()}),
        ("organizer", f"{manage}/listings/{pending.id}/reject", {"reason": "No"}, {"reason": c.TEXT + [""]}),
        ("organizer", f"{manage}/placements/{placement.id}/reject", {"reason": "No"}, {"reason": c.TEXT + [""]}),
    ]


@pytest.fixture
def served(app_factory):
    return app_factory(RATELIMIT_ENABLED=False)


def test_every_form_refuses_bad_values_in_every_field_without_a_500_or_a_change(served):
    world = c.build_world()
    clients = {"anon": signed_in(served, None), "organizer": signed_in(served, world.organizer),
               "member": signed_in(served, world.member), "visitor": signed_in(served, world.visitor)}
    # The CSRF token belongs to the session, so one per client serves every form it posts.
    tokens = {who: client.csrf_token("/login" if who == "anon" else "/account/profile")
              for who, client in clients.items()}
    sent, problems = 0, []
    for who, url, valid, bad in forms(world):
        client = clients[who]
        before = c.fingerprint()
        for field, values in bad.items():
            for value in values:
                data = {**valid, field: value}
                status = client.post(url, data={"csrf_token": tokens[who], **data}).status_code
                sent += 1
                if status >= 500:
                    problems.append(f"{url} {field}={value!r:.40}: {status}")
        if changed_tables := c.changed(before, c.fingerprint()):
            problems.append(f"{url} changed {changed_tables}")
    assert problems == [] and sent >= 300, (sent, problems)
