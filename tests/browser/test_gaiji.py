"""Residents' names outside JIS X 0208 (𠮷, 𩸽) render with the hub's own font, not as boxes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hub.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_name_with_yoshida_kanji_uses_the_gaiji_font(page, demo_data):
    page.goto("/login")
    page.get_by_label("ログインID").fill("nozei01")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_text("𠮷田 健一")).to_be_visible()  # case 4 on the dashboard
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.family.includes('Tsunagu Gaiji')).map(f => f.status)"
    )
    assert loaded == ["loaded"], "the page with 𠮷 must load the hub's gaiji font"
    assert page.evaluate("document.fonts.check('40px \"Tsunagu Gaiji\"', '𠮷')")
    # Some installed fonts claim 𠮷 but draw a box (IPAex does): the gaiji face must come
    # first in the stack; its unicode-range keeps it to those characters.
    stack = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert stack.startswith('"Tsunagu Gaiji"'), stack
