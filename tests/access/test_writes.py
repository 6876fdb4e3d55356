"""Only the owner writes its records: planned from ``app.url_map`` like the read checks.

Every route that changes something (POST, PUT, PATCH, DELETE) and takes a case or a consent is
either a write to a record another department may own — then every other department (on the
case or named in the consent, and not) tries it with a body the owner's write would accept,
and must get 403 or 404 with nothing changed — or is listed in ``OWN_RECORDS`` with the reason
it only ever writes the acting department's own record. A route added later fails
:func:`test_every_write_route_is_classified` until it is put in one of the two.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import pytest
import uploads_samples as samples
from sqlalchemy import text

from access.crawl import route_key
from access.flow_city import FlowCity, build_flow_city
from helpers import PASSWORD, csrf_token, is_api, login
from hub import jp
from hub.documents.consent import paper_form
from hub.documents.consent import services as consents
from hub.storage import Storage, bind

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
#: URL arguments that name a resident's records.
RECORD_ARGS = {"case_id", "consent_id", "resident_id"}
TODAY = "today"  # filled with jp.today() when sent

#: Writes that only ever touch the acting department's own records (or none), with why.
OWN_RECORDS = {
    "consents.new": "takes a new consent for the user's own department",
    "create_consent": "takes a new consent for the user's own department",
    "consents.new_sharing_request": "the requesting department's own request",
    "create_sharing_request": "the requesting department's own request",
    "request_sharing": "the requesting department's own request, sent by mail",
    "mailbox.request_sharing": "the requesting department's own request, sent by mail",
    "consents.withdraw": (
        "the resident's withdrawal, recorded by any department the consent names (it only "
        "narrows sharing); a department not named gets 404 — tested in tests/documents/consent"
    ),
    "withdraw_consent": "as consents.withdraw",
    "check_consent": "asks the gate about the user's own department's pairs; writes none",
    "residents.edit": "the resident's base data, kept by every department with a case",
    "update_resident": "the resident's base data, kept by every department with a case",
}


@dataclass(frozen=True)
class Attempt:
    #: Which object the URL names: case A (納税課's), case P (ぷらっとホーム's), or a consent.
    target: str
    #: A body the owner's own request would be accepted with.
    body: dict
    #: The web form sends a file under this name (multipart), the API under ``file``.
    file_field: str = ""


def _sheet_body(city: FlowCity) -> dict:
    return {"sections": {"life_situation": {"notes": "他課による書き換え"}}}


#: The write routes to records of a case's lead or a consent's obtaining department.
WRITES: dict[str, Attempt] = {
    "cases.update": Attempt("case:A", {"status": "closed", "summary": "書き換え"}),
    "update_case": Attempt("case:A", {"status": "closed", "summary": "書き換え"}),
    "membership.join": Attempt("case:A", {"department_id": "{kaigo}"}),
    "add_case_departments": Attempt("case:A", {"department_ids": ["{kaigo}"]}),
    "hearing.edit": Attempt(
        "case:A", {"action": "save", "based_on": "2", "life_situation.notes": "書き換え"}
    ),
    "create_sheet_version": Attempt(
        "case:A", {"based_on": 2, "sections": {"life_situation": {"notes": "書き換え"}}}
    ),
    "calculate_sheet": Attempt("case:A", {"sections": {"life_situation": {"notes": "x"}}}),
    "hearing.criteria": Attempt(
        "case:A", {"version": "2", "decisions.1.decision": "met", "decisions.1.reason": "書換"}
    ),
    "update_criteria": Attempt(
        "case:A", {"version": 2, "decisions": {"1": {"decision": "met", "reason": "書換"}}}
    ),
    "consents.edit": Attempt(
        "consent:fresh", {"grant": "{nozei}:{plat}:assets", "purpose": "生活再建の支援"}
    ),
    "update_consent": Attempt("consent:fresh", {"purposes": ["書き換えた目的"]}),
    "consents.generate": Attempt("consent:fresh", {}),
    "generate_consent_form": Attempt("consent:fresh", {}),
    "consents.discard_form": Attempt("consent:scanned", {}),
    "discard_consent_form": Attempt("consent:scanned", {}),
    "consents.upload_scan": Attempt("consent:scanned", {}, file_field="scan"),
    "upload_consent_scan": Attempt("consent:scanned", {}, file_field="file"),
    "consents.activate": Attempt("consent:scanned", {"obtained_on": TODAY}),
    "activate_consent": Attempt("consent:scanned", {"obtained_on": TODAY}),
    # A case packet is made of the lead's records: only the lead makes one (to itself).
    "printing.packet_form": Attempt(
        "case:A", {"recipient_id": "{nozei}", "method": "own", "format": "docx"}
    ),
    "create_packet": Attempt(
        "case:A", {"recipient_id": "{nozei}", "method": "own", "format": "docx"}
    ),
    # A case conference is the lead's: only the lead proposes one on its case.
    "meetings.propose": Attempt(
        "case:A",
        {
            "department_ids": "{plat}",
            "agenda": ["arrears"],
            "slot": ["2030-01-08T10:00", "2030-01-09T10:00", "2030-01-10T10:00"],
            "answer_deadline": "2030-01-07T17:00",
        },
    ),
    "propose_meeting": Attempt(
        "case:A",
        {
            "department_ids": ["{plat}"],
            "agenda": ["arrears"],
            "slots": [f"2030-01-{d}T10:00:00+09:00" for d in ("08", "09", "10")],
            "answer_deadline": "2030-01-07T17:00:00+09:00",
        },
    ),
}


@dataclass(frozen=True)
class Route:
    endpoint: str
    methods: frozenset[str]
    api: bool


def _write_routes(app) -> dict[str, Route]:
    """Every write route to a resident's records, by endpoint (web) or operationId (API)."""
    routes: dict[str, Route] = {}
    for rule in app.url_map.iter_rules():
        methods = rule.methods & WRITE_METHODS
        if methods and rule.arguments & RECORD_ARGS:
            key = route_key(rule)
            known = routes.get(key)
            both = frozenset(methods | (known.methods if known else set()))
            routes[key] = Route(rule.endpoint, both, is_api(rule))
    return routes


def test_every_write_route_is_classified(app):
    routes = _write_routes(app)
    unclassified = sorted(set(routes) - set(WRITES) - set(OWN_RECORDS))
    assert not unclassified, (
        "write routes to a resident's records without a check (add them to WRITES with a "
        f"valid body, or to OWN_RECORDS with the reason): {unclassified}"
    )
    stale = sorted((set(WRITES) | set(OWN_RECORDS)) - set(routes))
    assert not stale, f"classified routes that no longer exist: {stale}"


@pytest.fixture
def world(db, config, make_department, make_user, make_resident) -> tuple[FlowCity, dict]:
    """The flow city, plus two drafts of 納税課 naming ぷらっとホーム: one fresh, one scanned."""
    bind(db, Storage.from_config(config))
    city = build_flow_city(db, make_department, make_user, make_resident, packets=False)
    depts, nozei = city.departments, city.users["nozei"]
    scope = {
        "grants": [
            {
                "from_department_id": depts["nozei"].id,
                "to_department_id": depts["plat"].id,
                "categories": ["arrears"],
            }
        ],
        "purposes": ["生活再建の支援"],
    }
    fresh = consents.create_draft(db, nozei, city.resident.id, scope)
    scanned = consents.create_draft(db, nozei, city.resident.id, scope)
    paper_form.generate(db, nozei, city.resident.id, scanned.id)
    paper_form.upload_scan(db, nozei, city.resident.id, scanned.id, samples.fpdf_pdf(), "s.pdf")
    db.commit()
    targets = {
        "case:A": city.cases["A"],
        "case:P": city.cases["P"],
        "consent:fresh": fresh.id,
        "consent:scanned": scanned.id,
    }
    return city, targets


def _fingerprint(db) -> str:
    """A hash of every record a write to another department's records could change."""
    digest = hashlib.sha256()
    for table, columns in (
        ("cases", "id, status, summary, closed_at"),
        ("case_departments", "case_id, department_id"),
        ("hearing_sheets", "id, version, department_id"),
        ("criteria_judgements", "id, decision, reason"),
        ("consents", "id, status, purposes, valid_until, form_pdf_id, scan_id, obtained_on"),
        ("consent_grants", "consent_id, from_department_id, to_department_id, category"),
        ("stored_files", "id, sha256"),
        ("meetings", "id, status, starts_at"),
    ):
        rows = db.execute(text(f"SELECT {columns} FROM {table} ORDER BY 1, 2")).all()  # noqa: S608
        digest.update(repr(rows).encode())
    db.rollback()
    return digest.hexdigest()


def _fill(value, city: FlowCity):
    ids = {code: dept.id for code, dept in city.departments.items()}
    if isinstance(value, str):
        if value == TODAY:
            return jp.today().isoformat()
        if value.strip("{}") in ids and value.startswith("{"):
            return ids[value.strip("{}")]  # an id alone is a JSON integer
        return value.format(**ids)
    if isinstance(value, list):
        return [_fill(v, city) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, city) for k, v in value.items()}
    return value


def _url(app, endpoint: str, target_id: int, city: FlowCity, kind: str) -> str:
    args = (
        {"case_id": target_id}
        if kind == "case"
        else {
            "consent_id": target_id,
            "resident_id": city.resident.id,
        }
    )
    return app.url_map.bind("localhost").build(endpoint, args)


def test_no_department_writes_another_departments_records(app, db, world):
    city, targets = world
    routes = _write_routes(app)
    before = _fingerprint(db)
    # Departments on 納税課's case or named in its consents see the record: 403; a department
    # that is neither is not told it exists: 404.
    knows = {
        "case:A": {"plat", "hokenryo"},
        "consent:fresh": {"plat"},
        "consent:scanned": {"plat"},
    }
    wrong = []
    for code in ("plat", "hokenryo", "kaigo"):
        user = city.users[code]
        client = app.test_client()
        assert login(client, user, PASSWORD).status_code == 302
        token = csrf_token(client, "/account")
        bearer = {"Authorization": f"Bearer {city.tokens[code]}"}
        for key, attempt in sorted(WRITES.items()):
            route = routes[key]
            kind, _name = attempt.target.split(":")
            url = _url(app, route.endpoint, targets[attempt.target], city, kind)
            body = _fill(attempt.body, city)
            expected = 403 if code in knows[attempt.target] else 404
            for method in sorted(route.methods - {"GET"}):
                if route.api:
                    if attempt.file_field:
                        data = {attempt.file_field: (io.BytesIO(samples.fpdf_pdf()), "s.pdf")}
                        response = client.open(url, method=method, headers=bearer, data=data)
                    else:
                        response = client.open(url, method=method, headers=bearer, json=body)
                else:
                    data = {**body, "csrf_token": token}
                    if attempt.file_field:
                        data[attempt.file_field] = (io.BytesIO(samples.fpdf_pdf()), "s.pdf")
                    response = client.open(url, method=method, data=data)
                if response.status_code != expected:
                    wrong.append(f"{code} {method} {url}: {response.status_code}, not {expected}")
    assert wrong == [], "\n".join(wrong)
    assert _fingerprint(db) == before, "a refused write changed a record"
    # ぷらっとホーム's own case is its own: 納税課, on it, may not change it either.
    client = app.test_client()
    assert login(client, city.users["nozei"], PASSWORD).status_code == 302
    url = f"/cases/{targets['case:P']}/update"
    data = {"status": "closed", "csrf_token": csrf_token(client, "/account")}
    assert client.post(url, data=data).status_code == 403
    assert _fingerprint(db) == before
