"""The resident screens: the form refuses bad input field by field; searches stay out of URLs."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from helpers import post_form
from hub.models import Resident

VALID = {
    "atena_no": "0000123456",
    "name": "佐々木 花子",
    "kana": "ササキ ハナコ",
    "birth_date": "1980-04-01",
    "address": "世田谷区太子堂一丁目1番1号",
    "phone": "090-1234-5678",
}
_HREF = re.compile(r'(?:href|action|formaction)="([^"]*)"')


def resident_count(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Resident))


def field_error(page: str, field: str) -> str | None:
    """The message shown under a field, or None."""
    match = re.search(rf'<p class="field-error" id="e-{field}">([^<]*)</p>', page)
    return match.group(1) if match else None


@pytest.fixture
def staff(make_user):
    return make_user()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "氏名を入力してください。"),
        ("name", "あ" * 101, "氏名は100文字以内で入力してください（101文字）。"),
        ("kana", "yamada hanako", "カナ氏名はカタカナ（またはひらがな）で入力してください。"),
        ("kana", "山田", "カナ氏名はカタカナ（またはひらがな）で入力してください。"),
        ("atena_no", "12AB34", "宛名番号は数字（15桁以内）で入力してください。"),
        ("birth_date", "2025-02-30", "生年月日が存在しない日付です。"),
    ],
    ids=["empty-name", "long-name", "latin-kana", "kanji-kana", "letters-in-atena", "feb-30"],
)
def test_bad_input_comes_back_on_the_form_with_the_field_message(
    logged_in, staff, db, field, value, message
):
    client = logged_in(staff)
    response = post_form(client, "/residents/new", {**VALID, field: value})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<h1>対象者の登録</h1>" in page
    assert "入力内容に誤りがあります" in page
    assert field_error(page, field) == message
    # Only the wrong field is flagged, and what was typed is still there to correct.
    flagged = re.findall(r'id="e-(\w+)"', page)
    assert flagged == [field]
    assert f'value="{VALID["address"]}"' in page
    assert resident_count(db) == 0


def test_several_mistakes_are_reported_together(logged_in, staff, db):
    client = logged_in(staff)
    data = {**VALID, "name": "", "kana": "abc", "atena_no": "x", "birth_date": "2025-02-30"}
    page = post_form(client, "/residents/new", data).get_data(as_text=True)
    assert set(re.findall(r'id="e-(\w+)"', page)) == {"name", "kana", "atena_no", "birth_date"}
    assert resident_count(db) == 0


def test_duplicate_atena_no_is_refused_and_nothing_is_written(logged_in, staff, db, make_resident):
    make_resident(atena_no="0000123456", name="既存 太郎", kana="キソン タロウ")
    client = logged_in(staff)
    response = post_form(client, "/residents/new", VALID)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert field_error(page, "atena_no") == "この宛名番号は既に登録されています。"
    assert "ケースの新規作成から宛名番号で指定してください" in page
    assert resident_count(db) == 1


def test_full_width_digits_and_half_width_kana_are_stored_normalised(logged_in, staff, db):
    client = logged_in(staff)
    data = {**VALID, "atena_no": "０００１２３", "kana": "ｻｻｷ ﾊﾅｺ", "birth_date": "昭和55年4月1日"}
    response = post_form(client, "/residents/new", data)
    assert response.status_code == 302
    db.expire_all()
    resident = db.scalar(select(Resident))
    assert resident.atena_no == "000123"
    assert resident.kana == "ササキ　ハナコ"
    assert resident.birth_date.isoformat() == "1980-04-01"
    assert response.headers["Location"] == f"/residents/{resident.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "対象者を登録しました。" in page
    assert '<dd class="mono">000123</dd>' in page
    assert "昭和55年4月1日（1980年）" in page


def test_edit_with_bad_input_keeps_the_old_values(logged_in, staff, db, make_resident):
    resident = make_resident(department=staff.department)
    client = logged_in(staff)
    response = post_form(client, f"/residents/{resident.id}/edit", {**VALID, "kana": "abc"})
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "kana") is not None
    db.expire_all()
    assert db.get(Resident, resident.id).name == "山田 太郎"


def test_search_is_posted_and_the_term_never_reaches_a_url(logged_in, staff, make_resident):
    make_resident(department=staff.department)
    make_resident(name="佐藤 花子", kana="サトウ ハナコ", department=staff.department)
    client = logged_in(staff)
    assert client.get("/residents/search").status_code == 405  # no GET form with ?q=
    term = "ﾔﾏﾀﾞ"
    response = post_form(client, "/residents/search", {"q": term})
    assert response.status_code == 302
    assert response.headers["Location"] == "/residents/"
    page = client.get("/residents/").get_data(as_text=True)
    assert "山田 太郎" in page
    assert "佐藤 花子" not in page
    assert f"「{term}」の検索結果" in page
    urls = _HREF.findall(page)
    assert urls and not [u for u in urls if term in u or quote(term) in u or "ヤマダ" in u]
    # Clearing forgets it.
    cleared = post_form(client, "/residents/search/clear")
    assert cleared.headers["Location"] == "/residents/"
    page = client.get("/residents/").get_data(as_text=True)
    assert "佐藤 花子" in page and "山田 太郎" in page


def test_case_search_is_posted_too(logged_in, staff, make_case, make_resident):
    yamada = make_resident(department=staff.department)
    sato = make_resident(name="佐藤 花子", kana="サトウ ハナコ", department=staff.department)
    make_case(resident=yamada, lead=staff.department)
    make_case(resident=sato, lead=staff.department)
    client = logged_in(staff)
    response = post_form(client, "/cases/search", {"q": "やまだ", "status": "open"})
    assert response.headers["Location"] == "/cases/"
    page = client.get("/cases/").get_data(as_text=True)
    assert "山田 太郎" in page and "佐藤 花子" not in page
    assert not [u for u in _HREF.findall(page) if "やまだ" in u or quote("やまだ") in u]


def _rows(page: str) -> list[str]:
    return re.findall(r'<td class="mono">(\d+)</td>', page)


def test_the_list_pages_through_the_remembered_search(logged_in, staff, make_resident):
    for n in range(22):
        make_resident(
            name=f"山田 {n:02d}", kana=f"ヤマダ タロウ{n:02d}", department=staff.department
        )
    for _ in range(3):
        make_resident(name="佐藤 花子", kana="サトウ ハナコ", department=staff.department)
    client = logged_in(staff)

    first = client.get("/residents/").get_data(as_text=True)
    assert len(_rows(first)) == 20
    assert "1 / 2 ページ（全25件）" in first
    assert 'href="/residents/?page=2"' in first

    post_form(client, "/residents/search", {"q": "やまだ"})
    page1 = client.get("/residents/").get_data(as_text=True)
    page2 = client.get("/residents/?page=2").get_data(as_text=True)
    assert "1 / 2 ページ（全22件）" in page1
    assert "2 / 2 ページ（全22件）" in page2
    assert 'href="/residents/?page=1"' in page2
    assert len(_rows(page1)) == 20 and len(_rows(page2)) == 2
    assert not set(_rows(page1)) & set(_rows(page2))
    assert "佐藤" not in page1 + page2
    # A page past the end shows the last page; nonsense shows the first.
    assert _rows(client.get("/residents/?page=99").get_data(as_text=True)) == _rows(page2)
    assert _rows(client.get("/residents/?page=abc").get_data(as_text=True)) == _rows(page1)


def test_a_resident_of_another_department_is_a_japanese_404(logged_in, staff, make_resident):
    other = make_resident()
    client = logged_in(staff)
    response = client.get(f"/residents/{other.id}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "お探しのページまたはデータは見つかりません。" in page
    assert "山田" not in page


def test_search_term_is_not_readable_in_the_session_cookie(client, make_user):
    """The cookie is signed, not encrypted: the term must not be recoverable from it."""
    import base64

    from helpers import login, post_form

    login(client, make_user())
    post_form(client, "/residents/search", {"q": "ﾔﾏﾀﾞ"}, form_page="/residents/")
    cookie = client.get_cookie("tsunagu_session").value
    payload = cookie.split(".")[0] if not cookie.startswith(".") else cookie.split(".")[1]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if cookie.startswith("."):  # itsdangerous compresses large payloads
        import zlib

        decoded = zlib.decompress(decoded)
    text = decoded.decode("utf-8", errors="replace")
    assert "ﾔﾏﾀﾞ" not in text
    assert "\\uff94" not in text.lower()  # nor as a JSON escape
    page = client.get("/residents/").get_data(as_text=True)
    assert 'value="ﾔﾏﾀﾞ"' in page  # the hub itself still remembers it
