"""Download links are signed, short-lived, for one user and one file: anything else is refused."""

from __future__ import annotations

import time

import pytest
from itsdangerous import URLSafeTimedSerializer

from hub.documents.consent import links

SECRET = "test-secret-key-not-for-production"  # the test configuration's key


def _url(consent, token: str) -> str:
    return f"/residents/{consent.resident_id}/consents/{consent.id}/download?t={token}"


@pytest.fixture
def signed(city, consents):
    consent = consents.active()
    return consent, links.Link(consent.id, consent.form_pdf_id, city.staff.id)


def test_a_fresh_link_opens_the_file_for_its_user(client, logged_in, signed, city):
    consent, link = signed
    logged_in(city.staff)
    answer = client.get(_url(consent, links.sign(SECRET, link)))
    assert answer.status_code == 200
    assert answer.data.startswith(b"%PDF")
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="')


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda link: links.sign(SECRET, link)[:-2] + "AA", id="tampered"),
        pytest.param(
            lambda link: URLSafeTimedSerializer(SECRET, salt="other-purpose").dumps(
                [link.consent_id, link.file_id, link.user_id]
            ),
            id="other-purpose",
        ),
        pytest.param(
            lambda link: URLSafeTimedSerializer("another-secret", salt=links.SALT).dumps(
                [link.consent_id, link.file_id, link.user_id]
            ),
            id="other-key",
        ),
        pytest.param(lambda link: "", id="missing"),
        pytest.param(
            lambda link: URLSafeTimedSerializer(SECRET, salt=links.SALT).dumps({"file": 1}),
            id="not-ids",
        ),
        pytest.param(
            lambda link: links.sign(SECRET, links.Link(link.consent_id, link.file_id, 99_999)),
            id="other-user",
        ),
        pytest.param(
            lambda link: links.sign(SECRET, links.Link(link.consent_id, 99_999, link.user_id)),
            id="not-this-consents-file",
        ),
    ],
)
def test_a_forged_or_foreign_link_is_refused(client, logged_in, signed, city, forge):
    consent, link = signed
    logged_in(city.staff)
    answer = client.get(_url(consent, forge(link)))
    assert answer.status_code == 403
    assert "ダウンロード用のリンクが正しくありません" in answer.get_data(as_text=True)
    assert not answer.data.startswith(b"%PDF")


def test_an_expired_link_says_so(client, logged_in, signed, city, monkeypatch):
    consent, link = signed
    eleven_minutes_ago = time.time() - 11 * 60
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: eleven_minutes_ago)
        token = links.sign(SECRET, link)
    logged_in(city.staff)
    answer = client.get(_url(consent, token))
    assert answer.status_code == 403
    assert "有効期限が切れました" in answer.get_data(as_text=True)


def test_a_link_of_another_consent_does_not_open_this_one(client, logged_in, city, consents):
    first, second = consents.active(), consents.active()
    token = links.sign(SECRET, links.Link(first.id, first.form_pdf_id, city.staff.id))
    logged_in(city.staff)
    assert client.get(_url(second, token)).status_code == 403


def test_someone_who_cannot_see_the_resident_gets_404_even_with_a_good_link(
    client, logged_in, signed, city
):
    consent, _link = signed
    token = links.sign(SECRET, links.Link(consent.id, consent.form_pdf_id, city.outsider.id))
    logged_in(city.outsider)
    assert client.get(_url(consent, token)).status_code == 404
