"""Every route × actor answers as the access matrix says, with the security headers.

The routes come from ``app.url_map``, so a new route without a rule fails
:func:`test_every_route_has_a_rule`. Expectations live in web_rules.py (HTML screens) and
api_rules.py (the JSON API, owned with the API). How a rule is sent:

- web_rules: a plain ``endpoint`` key is checked with every method the route takes (GET, POST);
  a ``"METHOD endpoint"`` key overrides it for that method.
- api_rules: a plain key is the answer to a GET of the endpoint's URL (as api_rules.py says);
  a ``"METHOD endpoint"`` key is checked with that method and an empty JSON body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import uploads_samples as samples
from flask import Flask

from access.web_rules import ACTORS, WEB_RULES
from helpers import PASSWORD, csrf_token, is_api, login, operation_id
from hub.auth.services import create_token
from hub.documents.consent import services as consent_services
from hub.documents.printing.models import (
    CounsellingWindow,
    PacketFormat,
    PacketJob,
    PacketMethod,
)
from hub.mailbox import send as mailbox_send
from hub.mailbox.compose import Upload
from hub.mailbox.models import Notification, NotificationKind, OutboxMail, OutboxStatus
from hub.meetings.models import Meeting, Participant, SeriesMember, Slot, StudySeries
from hub.models import DepartmentKind, Role
from hub.security import CACHEABLE_ENDPOINTS
from hub.storage import Storage, bind

try:
    from access.api_rules import API_RULES
except ModuleNotFoundError as exc:  # the API's file; only its absence is tolerated
    if exc.name != "access.api_rules":
        raise
    API_RULES: dict[str, dict[str, int]] = {}

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: Requests that end the session; the actor logs in again after them.
LOGS_OUT = {"auth.logout"}
#: URL arguments that name a resident or a case: outsiders get 404, never 403.
PERSONAL_ARGS = {"case_id", "resident_id", "consent_id"}
PUBLIC = {"health", "auth.login", "font"}


@dataclass(frozen=True)
class Check:
    endpoint: str
    method: str
    args: frozenset[str]
    expected: tuple[tuple[str, int], ...]
    url_is_api: bool = False

    @property
    def name(self) -> str:
        return f"{self.method} {self.endpoint}"


def _rules() -> dict[str, dict[str, int]]:
    overlap = set(WEB_RULES) & set(API_RULES)
    assert not overlap, f"rules in both web_rules and api_rules: {sorted(overlap)}"
    return {**WEB_RULES, **API_RULES}


def _plan(app: Flask) -> tuple[list[Check], list[str], set[str]]:
    """Return the checks to run, the routes without a rule, and the rule keys used."""
    rules, checks, missing, used = _rules(), [], [], set()

    def add(endpoint: str, method: str, args: frozenset[str], key: str, api: bool = False) -> None:
        expected = tuple(sorted(rules[key].items()))
        checks.append(Check(endpoint, method, args, expected, api))
        used.add(key)

    for rule in app.url_map.iter_rules():
        endpoint, args = rule.endpoint, frozenset(rule.arguments)
        if endpoint == "static":
            continue
        methods = sorted(rule.methods & set(METHODS))
        if is_api(rule):
            # API rules are keyed by operationId (the view's name), whichever package owns it.
            operation = operation_id(endpoint)
            keyed = [m for m in methods if f"{m} {operation}" in rules]
            if operation in rules:
                add(endpoint, "GET", args, operation, api=True)
            elif len(keyed) < len(methods):
                missing.append(operation)
            for method in keyed:
                add(endpoint, method, args, f"{method} {operation}", api=True)
            continue
        keyed = [m for m in methods if f"{m} {endpoint}" in rules]
        for method in methods:
            key = f"{method} {endpoint}" if method in keyed else endpoint
            if key in rules:
                add(endpoint, method, args, key)
            else:
                missing.append(f"{method} {endpoint}")
    checks.sort(key=lambda c: (c.endpoint in LOGS_OUT, c.endpoint, c.method))
    return checks, missing, used


# ------------------------------------------------------------------ the rules themselves


def test_every_route_has_a_rule(app):
    checks, missing, used = _plan(app)
    assert checks
    assert not missing, (
        "routes without an access rule (add them to tests/access/web_rules.py, or api_rules.py "
        "by operationId for the API):\n  " + "\n  ".join(missing)
    )
    stale = sorted(set(_rules()) - used)
    assert not stale, f"rules for routes that no longer exist: {stale}"


def test_rules_follow_the_access_policy(app):
    """Rules name every actor, keep anonymous out, and never tell an outsider a case exists."""
    wrong = [
        f"{key}: actors {sorted(by_actor)} instead of {sorted(ACTORS)}"
        for key, by_actor in _rules().items()
        if set(by_actor) != set(ACTORS)
    ]
    for check in _plan(app)[0]:
        expected = dict(check.expected)
        if check.args & PERSONAL_ARGS:
            if expected.get("outsider") == 403:
                wrong.append(f"{check.name}: outsider must get 404, not 403 (existence leaks)")
            if expected.get("admin") in (200, 302):
                wrong.append(f"{check.name}: administrators must not reach case contents")
        if check.endpoint not in PUBLIC and expected.get("anonymous") in (200, 400):
            wrong.append(f"{check.name}: anonymous must not get in")
    assert not wrong, "\n".join(wrong)


def test_a_route_without_a_rule_is_reported(app):
    """Proves the coverage check bites: a route added here has no rule and is named."""
    app.add_url_rule("/added-later", "added_later", lambda: "", methods=["GET", "POST"])
    _checks, missing, _used = _plan(app)
    assert missing == ["GET added_later", "POST added_later"]


# ----------------------------------------------------------------------- the matrix


@dataclass
class World:
    ids: dict[str, int]
    users: dict[str, object]
    tokens: dict[str, str]


@pytest.fixture
def world(db, config, make_department, make_user, make_resident, make_case) -> World:
    """A case led by the staff's department with a partner; an outsider; an administrator."""
    own = make_department(name="納税課", code="nozei")
    partner = make_department(name="ぷらっとホーム世田谷", kind=DepartmentKind.SUPPORT, code="plat")
    other = make_department(name="介護保険課", code="kaigo")
    home = make_department(name="財政課", kind=DepartmentKind.OTHER, code="zaisei")
    users = {
        "staff": make_user(Role.STAFF, own, "staff"),
        "manager": make_user(Role.MANAGER, own, "manager"),
        "admin": make_user(Role.ADMIN, home, "admin"),
        "outsider": make_user(Role.STAFF, other, "outsider"),
    }
    resident = make_resident(department=own)
    case = make_case(resident=resident, lead=own, departments=[partner])
    tokens = {actor: create_token(db, user, "matrix")[1] for actor, user in users.items()}
    target, _plain = create_token(db, users["staff"], "to revoke")
    # A draft consent (own → partner) for the resident: the consent routes' ``consent_id``.
    scope = [
        {"from_department_id": own.id, "to_department_id": partner.id, "categories": ["arrears"]}
    ]
    draft = {"grants": scope, "purposes": ["生活再建の支援"]}
    consent = consent_services.create_draft(db, users["staff"], resident.id, draft)
    # A notice with a file from the staff's department to the partner: the mailbox's message_id.
    bind(db, Storage.from_config(config))
    notice = {"kind": "notice", "recipient_ids": [partner.id], "subject": "勉強会のお知らせ"}
    upload = Upload("案内.pdf", samples.fpdf_pdf("Study session"))
    message = mailbox_send.send(db, users["staff"], notice, [upload]).message
    # A notification of the staff user's (its message) and a failed mail (管理 → ジョブ).
    told = Notification(
        user_id=users["staff"].id,
        kind=NotificationKind.NEW_MESSAGE,
        message_id=message.id,
        text="テスト課から連絡が届きました",
    )
    failed = OutboxMail(
        department_id=own.id,
        to_address="nozei@example.jp",
        subject="件名",
        body="本文",
        status=OutboxStatus.FAILED,
        attempts=10,
    )
    # A queued case packet of the staff's department, and one counselling window.
    packet = PacketJob(
        case_id=case.id,
        resident_id=resident.id,
        department_id=own.id,
        requested_by_id=users["staff"].id,
        recipient_department_id=own.id,
        method=PacketMethod.OWN,
        format=PacketFormat.PDF,
    )
    window = CounsellingWindow(name="ぷらっとホーム世田谷", what_for="生活の困りごと")
    # A conference poll the staff's department organises on the case, with the partner.
    start = datetime(2030, 1, 8, 1, 0, tzinfo=UTC)
    meeting = Meeting(
        case_id=case.id,
        organiser_department_id=own.id,
        created_by_id=users["staff"].id,
        agenda=["arrears"],
        answer_deadline=start - timedelta(days=1),
        uid="meeting-matrix@tsunagu-hub",
        participants=[
            Participant(department_id=own.id, is_organiser=True),
            Participant(department_id=partner.id),
        ],
        slots=[
            Slot(starts_at=start + timedelta(days=n), ends_at=start + timedelta(days=n, hours=1))
            for n in range(3)
        ],
    )
    # A study series of the staff's department and the partner (勉強会).
    series = StudySeries(
        title="合同勉強会",
        owner_department_id=own.id,
        created_by_id=users["manager"].id,
        first_month=date(2030, 1, 1),
        members=[
            SeriesMember(department_id=own.id, position=0),
            SeriesMember(department_id=partner.id, position=1),
        ],
    )
    db.add_all([told, failed, packet, window, meeting, series])
    db.commit()
    ids = {
        "case_id": case.id,
        "resident_id": resident.id,
        "department_id": own.id,
        "user_id": users["staff"].id,
        "token_id": target.id,
        "consent_id": consent.id,
        "message_id": message.id,
        "document_id": message.documents[0].id,
        "notification_id": told.id,
        "mail_id": failed.id,
        "name": "outbox",
        "packet_id": packet.id,
        "window_id": window.id,
        "meeting_id": meeting.id,
        "series_id": series.id,
        # The material routes refuse a conference before they look for the material.
        "material_id": 1,
    }
    return World(ids, users, tokens)


class Actor:
    """A test client acting as one actor: a browser session, or a bearer token for the API."""

    def __init__(self, app: Flask, world: World, name: str) -> None:
        self.client, self.world, self.name = app.test_client(), world, name
        self.csrf = ""
        self.log_in()

    def log_in(self) -> None:
        if self.name != "anonymous":
            response = login(self.client, self.world.users[self.name], PASSWORD)
            assert response.status_code == 302, f"{self.name} cannot log in"
        self.csrf = csrf_token(self.client, "/login" if self.name == "anonymous" else "/account")

    def send(self, check: Check, url: str):
        if check.url_is_api:
            headers = {}
            if self.name != "anonymous":
                headers["Authorization"] = f"Bearer {self.world.tokens[self.name]}"
            body = None if check.method == "GET" else {}
            return self.client.open(url, method=check.method, headers=headers, json=body)
        data = None if check.method == "GET" else {"csrf_token": self.csrf}
        return self.client.open(url, method=check.method, data=data)


def _header_problems(response, endpoint: str) -> list[str]:
    headers, problems = response.headers, []
    if response.mimetype == "text/html":
        csp = headers.get("Content-Security-Policy", "")
        if not re.search(r"(^|;)\s*script-src 'self'\s*(;|$)", csp):
            problems.append(f"Content-Security-Policy without script-src 'self': {csp!r}")
    for name, value in (
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Cache-Control", "no-store"),
    ):
        if name == "Cache-Control" and endpoint in CACHEABLE_ENDPOINTS:
            continue  # an asset without personal data (the font) may be cached
        if headers.get(name) != value:
            problems.append(f"{name}: {headers.get(name)!r}, expected {value!r}")
    if not headers.get("Referrer-Policy"):
        problems.append("no Referrer-Policy")
    return problems


@pytest.mark.parametrize("actor", ACTORS)
def test_every_route_answers_each_actor_as_the_matrix_says(app, world, actor):
    checks, _missing, _used = _plan(app)
    me = Actor(app, world, actor)
    urls = app.url_map.bind("localhost")
    mismatches = []
    for check in checks:
        unknown = check.args - set(world.ids)
        if unknown:
            mismatches.append(f"{check.name}: no fixture value for {sorted(unknown)}")
            continue
        url = urls.build(check.endpoint, {a: world.ids[a] for a in check.args})
        response = me.send(check, url)
        expected = dict(check.expected)[actor]
        where = f"{check.method} {url} ({check.endpoint})"
        if response.status_code != expected:
            mismatches.append(f"{where}: {response.status_code}, expected {expected}")
        location = response.headers.get("Location", "")
        if actor == "anonymous" and response.status_code == 302:
            if not location.startswith("/login"):
                mismatches.append(f"{where}: anonymous sent to {location!r}, not /login")
        problems = _header_problems(response, check.endpoint)
        mismatches += [f"{where}: {problem}" for problem in problems]
        response.close()  # file responses (the font) stream from an open file
        if check.endpoint in LOGS_OUT:
            me.log_in()
    assert not mismatches, f"{len(mismatches)} mismatches for {actor}:\n" + "\n".join(mismatches)
