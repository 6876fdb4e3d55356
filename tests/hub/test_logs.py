"""No personal data in application logs (SecureDrop's rule): names, kana, numbers, addresses."""

import logging

from helpers import login, post_form

RESIDENT = {
    "atena_no": "7770001234",
    "name": "個人 情報子",
    "kana": "コジン ジョウホウコ",
    "birth_date": "1970-01-02",
    "address": "世田谷区秘密町9-9-9",
    "phone": "090-9876-5432",
}


def test_working_a_case_logs_no_personal_data(client, make_user, caplog):
    caplog.set_level(logging.DEBUG)
    user = make_user()
    login(client, user)
    created = post_form(client, "/residents/new", RESIDENT, form_page="/residents/new")
    assert created.status_code == 302
    resident_url = created.headers["Location"]
    client.get(resident_url)
    post_form(client, "/residents/search", {"q": "ｺｼﾞﾝ"}, form_page="/residents/")
    listing = client.get("/residents/")
    assert "個人 情報子" in listing.get_data(as_text=True)
    case = post_form(
        client,
        "/cases/new",
        {"atena_no": RESIDENT["atena_no"], "summary": "失職のため相談"},
        form_page="/cases/new",
    )
    client.get(case.headers["Location"])
    # Bad input is logged nowhere either.
    post_form(client, "/residents/new", {**RESIDENT, "kana": "abc"}, form_page="/residents/new")
    assert caplog.records, "the flow should log something (logins at least)"
    text = caplog.text
    for value in (*RESIDENT.values(), "ｺｼﾞﾝ", "コジン", "失職"):
        assert value not in text, f"personal data in the log: {value}"
