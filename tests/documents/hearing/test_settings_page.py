"""The administrator's settings page: every threshold with its reason; a change moves the
suggestions staff see."""

from __future__ import annotations

from sqlalchemy import select

from helpers import csrf_token, login
from hub.documents.hearing import services
from hub.models import AuditEvent

from .households import household

RENT = "hearing.rent_heavy_ratio"


def change(client, key, value):
    token = csrf_token(client, "/admin/settings")
    return client.post("/admin/settings", data={"csrf_token": token, "key": key, "value": value})


def test_settings_are_listed_with_default_unit_and_rationale(world, logged_in):
    admin = logged_in(world.admin)
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert "共通ヒアリングシート・共通目安" in page
    assert "家賃負担が大きいとみなす割合（手取り収入に対する家賃）" in page
    assert "国税徴収法第76条第1項第4号" in page
    assert "100,000円" in page and "6か月" in page and "30%" in page
    assert 'id="s-hearing.protected_base"' in page
    assert "設定" in admin.get("/admin/").get_data(as_text=True)


def test_only_administrators_reach_the_page(world, logged_in, client):
    staff = logged_in(world.staff)
    assert staff.get("/admin/settings").status_code == 403
    token = csrf_token(staff, "/account")
    refused = staff.post("/admin/settings", data={"csrf_token": token, "key": RENT, "value": "0.9"})
    assert refused.status_code == 403


def test_changing_the_rent_threshold_changes_the_suggestion(db, world, logged_in, app):
    services.save(db, world.staff, world.case.id, household(world.claims))  # rent 38%
    db.commit()
    staff = app.test_client()
    login(staff, world.staff)
    criteria = f"/cases/{world.case.id}/sheet/criteria"
    assert "家賃が手取り収入の38%（目安30%）" in staff.get(criteria).get_data(as_text=True)

    admin = logged_in(world.admin)
    changed = change(admin, RENT, "0.4")
    assert changed.status_code == 302
    assert changed.headers["Location"].endswith("/admin/settings#s-hearing.rent_heavy_ratio")
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert "設定「家賃負担が大きいとみなす割合（手取り収入に対する家賃）」を変更しました" in page
    assert "40%" in page and "変更済み" in page

    assert "家賃は手取り収入の38%（目安40%以下）" in staff.get(criteria).get_data(as_text=True)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "setting.update"))
    assert (event.object_id, event.user_id) == (RENT, world.admin.id)
    db.rollback()

    assert change(admin, RENT, "0.3").status_code == 302  # 既定値に戻す
    assert "目安30%）" in staff.get(criteria).get_data(as_text=True)


def test_a_bad_value_is_shown_on_its_row_and_nothing_changes(db, world, logged_in):
    admin = logged_in(world.admin)
    refused = change(admin, RENT, "三割")
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert f'id="e-{RENT}">家賃負担が大きいとみなす割合（手取り収入に対する家賃）は数値で' in html
    assert 'value="三割"' in html
    assert change(admin, RENT, "1.5").status_code == 400
    assert change(admin, "hearing.nope", "1").status_code == 400
    assert change(admin, "", "").status_code == 400
    assert "30%" in admin.get("/admin/settings").get_data(as_text=True)
