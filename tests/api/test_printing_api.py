"""Printouts and case packets over the API, in the flow city (tests/access/flow_city.py): a
packet asked for with a token holds what the consent gives its recipient, is refused with the
reason once the consent ends, and its handover is in both sides' 提供記録. Every answer is
checked against the OpenAPI document by the ``Api`` client, files included."""

from __future__ import annotations

import pytest
from access.flow_city import FlowCity, build_flow_city, withdraw
from printing.texts import docx_text, markers_in, pdf_text
from sqlalchemy import func, select

from hub import jp
from hub.documents.printing.models import PacketJob
from hub.storage import Storage, bind


@pytest.fixture
def city(db, config, make_department, make_user, make_resident, fast_forms) -> FlowCity:
    bind(db, Storage.from_config(config))
    return build_flow_city(db, make_department, make_user, make_resident, packets=False)


@pytest.fixture
def as_(api, city):
    """``as_("plat")``: the API client with that department's staff token."""
    return lambda code: api.as_(city.tokens[code])


def _allowed(city: FlowCity, viewer: str) -> set[tuple[str, str]]:
    dept, today = city.departments[viewer].id, jp.today()
    return {
        (m.owner, m.category)
        for m in city.markers
        if city.oracle.may_see(city.departments[m.owner].id, dept, m.category, today)
    }


def test_a_paper_packet_over_the_api_is_cut_recorded_and_refused_once_consent_ends(db, city, as_):
    nozei, case_a = as_("nozei"), city.cases["A"]
    plat = city.departments["plat"]
    options = nozei.get(f"/cases/{case_a}/packets/recipients").get_json()["items"]
    assert options[0]["own"] and options[0]["department"]["code"] == "nozei"
    [for_plat] = [o for o in options if o["department"]["id"] == plat.id]
    assert for_plat["possible"] and "滞納状況" in for_plat["categories"]
    # Only the lead makes packets of its records.
    assert as_("plat").get(f"/cases/{case_a}/packets/recipients").status_code == 403

    made = nozei.post(f"/cases/{case_a}/packets", json={"recipient_id": plat.id, "method": "paper"})
    assert made.status_code == 201, made.get_json()
    packet = made.get_json()
    assert packet["finished"] and packet["downloadable"] and packet["reasons"] == []
    assert made.headers["Location"].endswith(f"/api/v1/packets/{packet['id']}")
    assert as_("plat").get(f"/packets/{packet['id']}").status_code == 404  # 納税課's own

    pdf = nozei.get(f"/packets/{packet['id']}/file")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    found = markers_in(pdf_text(pdf.data), city)
    assert found and found <= _allowed(city, "plat"), found - _allowed(city, "plat")
    for side in ("nozei", "plat"):  # handed over on paper: in both sides' 提供記録
        rows = as_(side).get(f"/residents/{city.resident.id}/disclosures").get_json()["items"]
        assert any(r["method"] == "紙" and r["to_department"] == plat.name for r in rows), side

    withdraw(db, city, "C1", jp.today())
    refused = nozei.get(f"/packets/{packet['id']}/file")
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "packet_unavailable" and "撤回済み" in error["message"]
    state = nozei.get(f"/packets/{packet['id']}").get_json()
    assert not state["downloadable"] and state["reasons"]


def test_a_packet_the_consent_gives_nothing_is_refused_and_nothing_is_made(db, city, as_):
    outside = city.departments["kaigo"]  # no consent names 介護保険課
    before = db.scalar(select(func.count()).select_from(PacketJob))
    db.rollback()
    answer = as_("nozei").post(
        f"/cases/{city.cases['A']}/packets", json={"recipient_id": outside.id, "method": "share"}
    )
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "nothing_to_give"
    assert db.scalar(select(func.count()).select_from(PacketJob)) == before
    wrong = as_("nozei").post(
        f"/cases/{city.cases['A']}/packets",
        json={"recipient_id": outside.id, "method": "paper", "format": "docx", "password": "x"},
    )
    assert wrong.status_code == 400 and "password" in wrong.get_json()["error"]["fields"]


def test_printouts_over_the_api_show_what_the_screen_would(city, as_):
    case_a, resident = city.cases["A"], city.resident.id
    word = as_("hokenryo").get(f"/cases/{case_a}/sheet/print?format=docx")
    assert word.status_code == 200
    found = markers_in(docx_text(word.data), city)
    assert found and found <= _allowed(city, "hokenryo")
    choices = as_("nozei").get(f"/residents/{resident}/handout").get_json()
    suggested = [c["window"]["id"] for c in choices["items"] if c["suggested"]]
    assert suggested and all(c["reasons"] for c in choices["items"] if c["suggested"])
    handout = as_("nozei").get(f"/residents/{resident}/handout/print?window={suggested[0]}")
    assert handout.status_code == 200 and "相談先のご案内" in pdf_text(handout.data)
    too_many = "&".join(f"window={c['window']['id']}" for c in choices["items"]) * 2
    assert as_("nozei").get(f"/residents/{resident}/handout/print?{too_many}").status_code == 400
    backwards = as_("nozei").get(f"/residents/{resident}/disclosures?from=2026-12-01&to=2026-11-01")
    assert backwards.status_code == 400 and "to" in backwards.get_json()["error"]["fields"]


def test_administrators_keep_the_directory_of_counselling_windows(api, city, token_for):
    admin = api.as_(token_for(city.users["admin"]))
    window = {
        "name": "家計相談窓口",
        "what_for": "家計の立て直し",
        "criteria": [1],
        "phone": "03-0000",
    }
    made = admin.post("/admin/windows", json=window)
    assert made.status_code == 201
    shown = admin.get(made.headers["Location"].removeprefix("/api/v1")).get_json()
    assert shown["criteria"] == [1] and shown["is_active"]
    changed = admin.request(
        "PUT", f"/admin/windows/{shown['id']}", json={**window, "is_active": False}
    )
    assert changed.get_json()["is_active"] is False
    bad = admin.post("/admin/windows", json={**window, "criteria": [9]})
    assert bad.status_code == 400 and "criteria" in bad.get_json()["error"]["fields"]
    assert api.as_(city.tokens["nozei"]).get("/admin/windows").status_code == 403
