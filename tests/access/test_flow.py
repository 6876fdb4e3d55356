"""Consent is the only door, as a property over every route.

Every department's records about one resident carry unique markers per information category
(tests/access/flow_city.py). As a user of every department (and the administrator), the test
reads every GET route of ``app.url_map`` — web pages and the JSON API alike — with the ids of
every object, the API's read-only searches and every download link the pages hand out, and
extracts the text of what it got (PDF and Word files included). A marker owned by department
X in category K may reach department Y only if the resident's consent lets X give K to Y on
that day (the naive oracle of tests/oracle.py). The city is read three times: with both
consents in force, after 納税課's consent is withdrawn, and on a day after ぷらっとホーム's has
expired (the clock is moved, the expiry job has run).

Every read that shows the resident's name, kana or 宛名番号, or any marker of any department's
records, must have left an allowed audit event of its reader (every access to personal data is
audited, whatever the route).

A route added later is read automatically; one the crawl cannot fill fails the plan.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from oracle import OWN
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from access.crawl import SKIPPED, Reader, plan, route_key
from access.flow_city import FlowCity, build_flow_city, pools, withdraw
from hub import audit, jp
from hub.documents.consent import services as consent_services
from hub.models import AuditEvent
from hub.storage import Storage, bind

VIEWERS = ("nozei", "hokenryo", "plat", "kaigo", "admin")


@pytest.fixture
def flow_city(db, config, make_department, make_user, make_resident) -> FlowCity:
    bind(db, Storage.from_config(config))
    return build_flow_city(db, make_department, make_user, make_resident)


def _last_event(db) -> int:
    last = db.scalar(select(func.max(AuditEvent.id))) or 0
    db.rollback()
    return last


def _read_everything(app, db, city: FlowCity, day) -> tuple[list[str], Counter]:
    """Crawl as every viewer; return the leaks found (and the reads of the resident's personal
    data that left no audit event of their reader) and what each viewer saw of whom."""
    planned = plan(app, pools(city, db))
    assert not planned.unplannable, (
        "GET routes the flow test cannot read (fill their arguments in flow_city.pools, or list "
        f"them in crawl.SKIPPED with a reason): {planned.unplannable}"
    )
    leaks, seen = [], Counter()
    adapter = app.url_map.bind("localhost")
    resident = city.resident
    markers = [t for marker in city.markers for t in marker.texts]
    personal = (resident.name, resident.kana, resident.atena_no, *markers)
    for viewer in VIEWERS:
        user = city.users[viewer]
        viewer_dept = user.department_id
        reader = Reader(app, user, city.tokens[viewer])
        last = _last_event(db)
        for read in reader.crawl(planned.requests):
            assert read.status < 500, f"{viewer} {read.url}: {read.status}"
            audited = db.scalars(
                select(AuditEvent.user_id).where(
                    AuditEvent.id > last, AuditEvent.outcome == audit.ALLOWED
                )
            ).all()
            last = _last_event(db)
            if any(t in read.text for t in personal) and user.id not in audited:
                leaks.append(f"{viewer} read the resident at {read.url} unaudited")
            try:
                via = adapter.match(urlsplit(read.url).path, method="GET")[0]
            except HTTPException:  # a read answered to a POST (the API's searches)
                via = "POST"
            for marker in city.markers:
                if not any(t in read.text for t in marker.texts):
                    continue
                seen[("via", via)] += 1
                owner = city.departments[marker.owner].id
                seen[(viewer, marker.owner, marker.category)] += 1
                if not city.oracle.may_see(owner, viewer_dept, marker.category, day):
                    leaks.append(
                        f"{viewer} read {marker.owner}'s {marker.category} "
                        f"{marker.texts[0]} at {read.url} ({read.status})"
                    )
    return leaks, seen


def test_no_route_shows_a_department_what_the_consent_does_not_give_it(
    app, db, flow_city, monkeypatch
):
    city, today = flow_city, jp.today()

    # 1. Both consents in force.
    leaks, seen = _read_everything(app, db, city, today)
    assert leaks == [], "\n".join(leaks)
    # The crawl is not blind: what the consents allow does arrive, by page, API and file.
    assert seen[("plat", "nozei", "arrears")] and seen[("plat", "nozei", "life_situation")]
    assert seen[("plat", "nozei", "household_budget")]  # C2: 納税課 → ぷらっとホーム
    assert seen[("hokenryo", "nozei", "private_debts")]
    assert seen[("hokenryo", "nozei", "collection_decision")]
    assert seen[("nozei", "plat", "support_status")]
    assert seen[("plat", "nozei", "consent_terms")]  # the signed form, shared by mail
    for code in ("nozei", "kaigo", "plat"):
        assert seen[(code, code, OWN)], f"{code} does not see its own summary"
    # Markers are found inside the hub's own PDF and Word files too, not only on pages.
    for via in (
        "printing.sheet_file",
        "printing.download",
        "printouts.message",
        "meetings.show",
        "meetings_api.show_meeting",
    ):
        assert seen[("via", via)], f"no marker read through {via}"

    # 2. 納税課's consent is withdrawn: only what ぷらっとホーム's own consent gives remains.
    withdraw(db, city, "C1", today)
    leaks, seen = _read_everything(app, db, city, today)
    assert leaks == [], "\n".join(leaks)
    assert seen[("plat", "nozei", "household_budget")]
    assert not seen[("plat", "nozei", "arrears")]
    assert seen[("nozei", "plat", "support_status")]

    # 3. A day after ぷらっとホーム's consent ended (the expiry job has run): nothing crosses.
    later = today + timedelta(days=31)
    monkeypatch.setattr(jp, "today", lambda: later)
    consent_services.expire_due(db, later)
    db.commit()
    leaks, seen = _read_everything(app, db, city, later)
    assert leaks == [], "\n".join(leaks)
    crossed = {k: n for k, n in seen.items() if k[0] not in (k[1], "via")}
    assert crossed == {}, crossed


@pytest.fixture
def plan_city(db, config, make_department, make_user, make_resident) -> FlowCity:
    """The city for the plan's own tests, which read nothing: without its packets."""
    bind(db, Storage.from_config(config))
    return build_flow_city(db, make_department, make_user, make_resident, packets=False)


def test_every_get_route_is_read_or_skipped_with_a_reason(app, db, plan_city):
    flow_city = plan_city
    planned = plan(app, pools(flow_city, db))
    assert planned.unplannable == []
    assert all(reason for reason in SKIPPED.values())
    read = {key for key, *_rest in planned.requests}
    every_get = {route_key(r) for r in app.url_map.iter_rules() if "GET" in r.methods}
    assert every_get - read == set(SKIPPED)


def test_a_route_added_later_is_read_or_refused(app, db, plan_city):
    """Proves the plan bites: a new GET route with an unknown argument is reported."""
    flow_city = plan_city
    app.add_url_rule("/added-later/<int:widget_id>", "added_later", lambda widget_id: "")
    planned = plan(app, pools(flow_city, db))
    assert planned.unplannable == ["added_later (widget_id)"]
