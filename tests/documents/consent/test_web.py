"""The consent screens: the wizard from the grid to activation, the panels, isolation, and
refusals that explain themselves in Japanese without writing anything."""

from __future__ import annotations

import html
import io
import re

import uploads_samples as samples
from sqlalchemy import func, select

from helpers import csrf_token
from hub import jp
from hub.documents.consent.models import Consent, ConsentStatus
from hub.models import StoredFile

_LINK = re.compile(r'href="([^"]*/download\?t=[^"]+)"')


def _count(database, model) -> int:
    with database.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model))


def _post(client, path: str, data: dict, form_page: str, **kwargs):
    payload = {**data, "csrf_token": csrf_token(client, form_page)}
    return client.post(path, data=payload, **kwargs)


def _cell(sender, recipient, category: str) -> str:
    return f"{sender.id}:{recipient.id}:{category}"


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_wizard_from_the_grid_to_an_active_consent(client, logged_in, city, database):
    logged_in(city.staff)
    base = f"/residents/{city.resident.id}"
    page = client.get(f"{base}/consents/new")
    assert page.status_code == 200
    text = _text(page)
    assert 'aria-label="納税課→ぷらっとホーム世田谷：民間債務の状況"' in text
    assert 'aria-label="ぷらっとホーム世田谷→納税課：支援の状況"' in text
    assert text.index("公債権所管") < text.index("支援所管")

    created = _post(
        client,
        f"{base}/consents/new",
        {
            "grant": [
                _cell(city.nozei, city.plat, "arrears"),
                _cell(city.nozei, city.plat, "private_debts"),
                _cell(city.nozei, city.hokenryo, "arrears"),
            ],
            "purpose": ["生活再建の支援"],
            "other_purposes": "就労支援の調整",
            "valid_until": jp.today().replace(year=jp.today().year + 1).isoformat(),
        },
        f"{base}/consents/new",
    )
    assert created.status_code == 302
    show = created.headers["Location"]
    consent_id = int(show.rsplit("/", 1)[1])
    assert "同意書を作成する" in _text(client.get(show))

    assert _post(client, f"{show}/form", {}, show).status_code == 302
    page = _text(client.get(show))
    assert "納税課は、ぷらっとホーム世田谷に、滞納状況及び民間債務の状況を提供します。" in page
    assert len(set(_LINK.findall(page))) == 2  # PDF and Word
    link = re.search(r'href="([^"]+)">同意書をダウンロード（PDF）', page).group(1)
    pdf = client.get(link)
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    disposition = pdf.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert "filename*=UTF-8''" in disposition and "山田" not in disposition
    assert pdf.headers["Cache-Control"] == "no-store"

    scan = {"scan": (io.BytesIO(samples.fpdf_pdf("signed")), "スキャン.pdf")}
    uploaded = _post(client, f"{show}/scan", scan, show, content_type="multipart/form-data")
    assert uploaded.status_code == 302
    activated = _post(client, f"{show}/activate", {"obtained_on": jp.today().isoformat()}, show)
    assert activated.status_code == 302

    resident_page = _text(client.get(base))
    assert f"同意書番号{consent_id}" in resident_page
    assert "status-active" in resident_page
    assert "納税課→ぷらっとホーム世田谷: 滞納状況、民間債務の状況" in resident_page
    case_page = _text(client.get(f"/cases/{city.case_id}"))
    assert "本人の同意" in case_page and f"同意書番号{consent_id}" in case_page
    with database.session() as session:
        consent = session.get(Consent, consent_id)
        assert consent.status == ConsentStatus.ACTIVE
        assert consent.purposes == ["生活再建の支援", "就労支援の調整"]


def test_a_grid_without_any_cell_is_refused_and_nothing_is_written(
    client, logged_in, city, database
):
    logged_in(city.staff)
    path = f"/residents/{city.resident.id}/consents/new"
    answer = _post(client, path, {"purpose": ["生活再建の支援"], "valid_until": "x"}, path)
    assert answer.status_code == 400
    text = _text(answer)
    assert "同意の範囲（提供元・提供先・情報の区分）を1つ以上選んでください。" in text
    assert "有効期限は 1980-04-01 または 昭和55年4月1日 の形で入力してください。" in text
    assert 'value="生活再建の支援" checked' in text  # the form keeps what was chosen
    assert _count(database, Consent) == 0


def test_a_hostile_scan_is_refused_and_nothing_is_kept(
    client, logged_in, city, consents, database, app
):
    consent = consents.generated()
    logged_in(city.staff)
    show = f"/residents/{city.resident.id}/consents/{consent.id}"
    files_before = _count(database, StoredFile)
    answer = _post(
        client,
        f"{show}/scan",
        {"scan": (io.BytesIO(samples.pdf_open_action_js()), "scan.pdf")},
        show,
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400
    assert "JavaScript・自動実行" in _text(answer)
    assert _count(database, StoredFile) == files_before
    with database.session() as session:
        assert session.get(Consent, consent.id).scan_id is None


def test_outsiders_get_404_and_administrators_403(client, logged_in, city, consents):
    consent = consents.active()
    paths = [
        f"/residents/{city.resident.id}/consents/{consent.id}",
        f"/residents/{city.resident.id}/consents/new",
        f"/residents/{city.resident.id}/consents/{consent.id}/withdraw",
    ]
    logged_in(city.outsider)
    assert [client.get(p).status_code for p in paths] == [404, 404, 404]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    logged_in(city.admin)
    assert [client.get(p).status_code for p in paths] == [403, 403, 403]


def test_withdrawal_through_the_form(client, logged_in, city, consents, database):
    consent = consents.active()
    logged_in(city.plat_staff)  # any department the consent names: the resident told it
    path = f"/residents/{city.resident.id}/consents/{consent.id}/withdraw"
    form = client.get(path)
    assert form.status_code == 200 and "撤回は取り消せません" in _text(form)
    refused = _post(client, path, {"withdrawn_on": jp.today().isoformat()}, path)
    assert refused.status_code == 400
    assert "撤回の方法（書面・口頭）を選んでください。" in _text(refused)
    done = _post(
        client,
        path,
        {"withdrawn_on": jp.today().isoformat(), "method": "oral", "reason": "電話で申出"},
        path,
    )
    assert done.status_code == 302
    assert "status-withdrawn" in _text(client.get(f"/residents/{city.resident.id}"))
    assert client.get(path).status_code == 409
    with database.session() as session:
        assert session.get(Consent, consent.id).withdrawn_by_id == city.plat_staff.id


def test_a_named_department_sees_only_its_own_part_of_a_consent(
    client, logged_in, city, consents, grant
):
    consent = consents.active(
        [grant(city.nozei, city.plat, "arrears"), grant(city.nozei, city.hokenryo, "assets")],
        purposes=("生活再建の支援", "固有の目的テキスト"),
    )
    logged_in(city.plat_staff)
    page = client.get(f"/residents/{city.resident.id}/consents/{consent.id}")
    assert page.status_code == 200
    text = _text(page)
    assert "ぷらっとホーム世田谷に関係する範囲" in text
    assert "滞納状況" in text
    # Not the grant between 納税課 and 保険料収納課, not the purposes, not the files.
    assert "財産の状況" not in text and "固有の目的テキスト" not in text
    assert "同意書をダウンロード" not in text and "/download?" not in text
    assert "利用の目的、同意書の文面とファイルは" in text
    resident_page = _text(client.get(f"/residents/{city.resident.id}"))
    assert "納税課→ぷらっとホーム世田谷: 滞納状況" in resident_page
    assert "保険料収納課: 財産の状況" not in resident_page
