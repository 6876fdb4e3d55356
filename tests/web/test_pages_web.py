"""Every screen keeps to the CSP and serves its own assets; the dashboard says what is missing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub.models import CaseStatus

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
#: What the Content-Security-Policy (script-src 'self'; style-src 'self') would block, and
#: anything loaded from outside the hub (LGWAN: no internet at run time).
FORBIDDEN = {
    "inline style attribute": re.compile(r"\sstyle\s*=", re.I),
    "style element": re.compile(r"<style[\s>]", re.I),
    "inline script": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "external URL": re.compile(r"(?:src|href|action)\s*=\s*[\"']?(?:https?:)?//", re.I),
}


def offences(html: str) -> list[str]:
    return [name for name, pattern in FORBIDDEN.items() if pattern.search(html)]


def test_the_checks_would_catch_each_offence():
    assert offences('<p style="color:red">') == ["inline style attribute"]
    assert offences("<script>alert(1)</script>") == ["inline script"]
    assert offences('<script src="/static/js/hub.js"></script>') == []
    assert offences('<button onclick="x()">') == ["event handler attribute"]
    assert offences('<link href="https://cdn.example/x.css">') == ["external URL"]


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_no_template_has_inline_script_style_or_external_urls(path):
    assert offences(path.read_text(encoding="utf-8")) == [], path


def test_rendered_pages_keep_to_the_csp(logged_in, make_user, make_case, client):
    user = make_user()
    case = make_case(lead=user.department)
    logged_in(user)
    pages = [
        "/",
        "/residents/",
        f"/residents/{case.resident_id}",
        "/residents/new",
        f"/residents/{case.resident_id}/edit",
        "/cases/",
        f"/cases/{case.id}",
        f"/cases/new?resident_id={case.resident_id}",
        "/cases/new",
        "/account",
        "/cases/999999",
    ]
    assets: set[str] = set()
    for path in pages:
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code in (200, 404), path
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert offences(html) == [], path
        assert '<html lang="ja">' in html
        assets.update(re.findall(r'(?:src|href)="(/static/[^"]+)"', html))
    assert {"/static/css/hub.css", "/static/css/print.css", "/static/js/hub.js"} <= assets
    for asset in sorted(assets):
        with client.get(asset) as response:
            assert response.status_code == 200, asset


def test_dashboard_counts_cases_and_shows_only_tiles_of_features_that_exist(
    logged_in, make_user, make_case, db
):
    user = make_user()
    make_case(lead=user.department)
    make_case(lead=user.department)
    closed = make_case(lead=user.department)
    closed.status = CaseStatus.CLOSED
    db.commit()
    make_case()  # another department's case is not counted
    page = logged_in(user).get("/").get_data(as_text=True)
    assert re.search(r'<span class="tile-number">2<small>件</small></span>', page)
    assert "見守り 0件・終了 1件" in page
    labels = re.findall(r'<span class="tile-label">([^<]+)</span>', page)
    assert labels == [
        "対応中のケース",
        "受信箱（未読）",
        "回答するフィードバック",
        "回答を待っているフィードバック",
        "有効期限が近い同意",
        "今後の会議・勉強会",
        "未回答の日程調整",
    ]
    # Every tile leads somewhere; no placeholder for a feature that does not exist yet.
    assert "準備中" not in page and "まだ利用できません" not in page
    assert "/mailbox/?unread=1" in page and "/consents/ending" in page
    assert "/meetings" in page
