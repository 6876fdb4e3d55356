"""The printed documents (hearing sheet, policy, feedback, request, disclosure record, handout,
minutes), read back as a person would: text from the PDF and the DOCX, pages, markings."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest

from hub.documents.categories import InformationCategory as C
from hub.documents.render import (
    disclosures,
    exchanges,
    handout,
    hearing_sheet,
    meetings,
    policy,
)
from hub.documents.render.blocks import WITHHELD
from hub.jp import wareki

from . import printed_samples as samples
from .checks import docx_text, has_row, page_number, squeeze
from .printed_samples import MARKERS, NAME

PART = [C.ARREARS, C.PAYMENT_PLAN, C.HOUSEHOLD_BUDGET, C.LIFE_SITUATION]


@pytest.fixture(scope="module")
def sheet_pdf() -> bytes:
    return hearing_sheet.render_hearing_sheet_pdf(samples.hearing())


@pytest.fixture(scope="module")
def sheet_docx() -> bytes:
    return hearing_sheet.render_hearing_sheet_docx(samples.hearing())


@pytest.fixture(scope="module")
def part_pdf() -> bytes:
    return hearing_sheet.render_hearing_sheet_pdf(samples.hearing(PART))


def test_hearing_sheet_prints_sections_figures_plan_and_criteria(poppler, sheet_pdf):
    pages = poppler.pages(sheet_pdf)
    lines = poppler.lines(sheet_pdf)
    text = squeeze("".join(lines))
    for expected in (
        "共通ヒアリングシート",
        NAME,
        "第3版（令和8年11月20日保存）",
        "納税課山田太郎",
        "特別区民税：滞納額186,400円",
        "令和6年度3期〜4期",
        "家賃85,000円",
        # Derived figures, the formula and the joint plan.
        "月収入225,000円",
        "納付可能額（提案）30,000円",
        "①月の余り=月収入225,000円−月支出171,000円−民間返済24,000円=30,000円",
        "納付可能額=①と③の小さい方",
        "共同の納付計画（提案）",
        "開始月令和9年1月納付可能額30,000円月額の合計30,000円",
        # The six criteria: suggestion, decision, who, when, why.
        "失職等による収",
        "家賃が手取り収入の",
        "本人の申出による",
        "第3版で判断",
        "未判断",
    ):
        assert squeeze(expected) in text, expected
    assert has_row(lines, "特別区民税", "186,400円", "17,000円", "11回", "令和9年11月")
    assert has_row(lines, "国民健康保険料", "142,300円", "13,000円", "11回")
    assert has_row(lines, "令和11年4月1日頃（推定）")
    assert has_row(lines, "6 その他", "未判断", "—")
    for marker in MARKERS.values():
        if marker not in (MARKERS[C.SUPPORT_STATUS], MARKERS[C.COLLECTION_DECISION]):
            assert marker in text, marker
    assert WITHHELD.split("：")[0] not in text
    for number, page in enumerate(pages, 1):
        assert "取扱注意" in page and "納税課" in page and "ケース 7" in page
        assert page_number(page) == (number, len(pages))


def test_fonts_are_embedded(poppler, sheet_pdf):
    rows = poppler.fonts(sheet_pdf)
    assert rows and all((r["emb"], r["sub"]) == ("yes", "yes") for r in rows), rows


def test_withheld_sections_are_named_never_shown(poppler, part_pdf):
    text = squeeze("".join(poppler.lines(part_pdf)))
    assert "同意の範囲外のため記載していません：民間債務の状況、財産の状況" in text
    assert MARKERS[C.PRIVATE_DEBTS] not in text and MARKERS[C.ASSETS] not in text
    assert "A社" not in text and "普通預金" not in text
    # Figures would tell what the hidden sections hold (民間返済 24,000円): not printed.
    assert squeeze(hearing_sheet.FIGURES_WITHHELD) in text
    assert "月収入" not in text and "24,000円" not in text
    for marker in (C.ARREARS, C.HOUSEHOLD_BUDGET, C.LIFE_SITUATION):
        assert MARKERS[marker] in text
    assert "失職等による収" in text  # 生活状況 is visible: the criteria are printed
    assert "本人の申出による" in text  # staff's reason stays; the figures in suggestions go
    assert "算出値に基づく理由" in text


def test_criteria_go_with_the_life_situation():
    data = samples.hearing([C.ARREARS])
    assert data.criteria == () and data.criteria_withheld
    blocks = hearing_sheet.criteria_blocks(data, heading=True)
    assert blocks[-1].text == hearing_sheet.CRITERIA_WITHHELD


def test_hearing_sheet_docx_says_the_same(sheet_docx):
    text = squeeze(docx_text(sheet_docx))
    for expected in (
        NAME,
        "第3版（令和8年11月20日保存）",
        "186,400円",
        "納付可能額（提案）",
        "①月の余り=月収入225,000円",
        "該当本人の申出による",
        "取扱注意",
        "納税課",
    ):
        assert squeeze(expected) in text, expected


def test_policy_names_each_claims_decision(poppler):
    data = samples.policy()
    pdf = policy.render_policy_pdf(data)
    lines = poppler.lines(pdf)
    text = squeeze("".join(lines))
    word = squeeze(docx_text(policy.render_policy_docx(data)))
    for expected in (
        "徴収可否の判断・今後の方針",
        "②生活再建の見込みあり",
        "換価の猶予",
        "執行停止",
        "11回",
        "令和8年12月〜",
        "令和9年10月",
        "換価の猶予（1年）",
        "納付計画の月額の合計30,000円",
        "判断日令和8年11月25日",
        "MARKDECISION",
    ):
        assert squeeze(expected) in text, expected
        assert squeeze(expected) in word, expected
    assert has_row(lines, "特別区民税", "186,400円", "納付計画（分割納付）", "17,000円")
    assert has_row(lines, "介護保険料", "24,000円", "執行停止", "滞納繰越分")


def test_feedback_and_request_as_sent(poppler):
    feedback = samples.feedback()
    request = samples.request()
    fb_lines = poppler.lines(exchanges.render_feedback_pdf(feedback))
    rq_lines = poppler.lines(exchanges.render_request_pdf(request))
    fb, rq = squeeze("".join(fb_lines)), squeeze("".join(rq_lines))
    for expected in (
        "フィードバック票",
        "送信日令和8年12月3日連絡番号41",
        "回答期限令和8年12月12日",
        "依頼日令和8年11月21日",
        "家計改善支援を開始した",
        "債務整理・返済計画の調整中",
    ):
        assert squeeze(expected) in fb, expected
    assert has_row(fb_lines, "送信元", "ぷらっとホーム世田谷", "佐藤 花子")
    assert has_row(fb_lines, "納税課", "回答済み", "確認しました")
    for expected in ("情報共有依頼書", "依頼番号5", "回答期限令和8年12月1日", "同意書番号12"):
        assert squeeze(expected) in rq, expected
    assert has_row(rq_lines, "納税課", "滞納状況、納付計画")
    assert has_row(rq_lines, "国保・年金課", "辞退", "同意の範囲外のため")
    assert "家計改善支援の計画作成のため" in rq
    assert "情報共有依頼書" in docx_text(exchanges.render_request_docx(request))
    assert "家計改善支援" in docx_text(exchanges.render_feedback_docx(feedback))


def test_feedback_leaves_out_private_debt_rows_it_may_not_show():
    data = samples.feedback([C.SUPPORT_STATUS])
    labels = [label for label, _text in data.fields]
    assert "民間債権の支払状況" not in labels and data.withheld == ("民間債務の状況",)
    assert all(MARKERS[C.PRIVATE_DEBTS] not in text for _label, text in data.fields)


def test_disclosure_record_of_a_thousand_rows(poppler):
    data = samples.disclosures(1000)
    pages = poppler.pages(disclosures.render_disclosures_pdf(data))
    assert len(pages) > 20
    text = squeeze("".join(pages))
    # 2019-04-30 is the last day of 平成, the next one the first of 令和.
    assert "平成31年4月30日" in text and "令和元年5月1日" in text
    assert "1,000件" in text and "受付番号R8-開示-0042" in text
    assert text.count("同意書番号12") == 1000
    assert "未閲覧" in text and "紙" in text
    for page in pages[1:]:
        if "同意書番号" in squeeze(page):
            assert "提供元→提供先" in squeeze(page), "the heading row repeats on every page"
        assert page_number(page)[1] == len(pages)
    word = docx_text(disclosures.render_disclosures_docx(data))
    assert squeeze(word).count("同意書番号12") == 1000


def test_handout_is_one_page_with_only_the_name(poppler):
    data = samples.handout()
    pages = poppler.pages(handout.render_handout_pdf(data))
    assert len(pages) == 1
    text = squeeze(pages[0])
    assert f"{NAME}様".replace(" ", "") in text
    for window in data.windows:
        assert squeeze(window.name) in text and window.phone in text
    assert "0012345678" not in text and "ケース" not in text
    assert "相談先のご案内" in docx_text(handout.render_handout_docx(data))


def test_minutes_and_study_cover(poppler):
    minutes = samples.minutes()
    lines = poppler.lines(meetings.render_minutes_pdf(minutes))
    text = squeeze("".join(lines))
    assert "ケース会議議事録" in text and "換価の猶予を申請する" in text
    assert has_row(lines, "申請書の案内", "国保・年金課 鈴木", "令和8年12月10日")
    cover = meetings.StudyCoverData(
        "第3回 債権管理と生活困窮者支援の勉強会", "財政課", date(2026, 12, 18), "第1会議室",
        ("納税課", "ぷらっとホーム世田谷"), ("生活困窮者自立支援制度の概要",),
    )  # fmt: skip
    cover_text = squeeze("".join(poppler.lines(meetings.render_study_cover_pdf(cover))))
    assert "勉強会資料" in cover_text and "資料1生活困窮者自立支援制度の概要" in cover_text
    assert "議事録" in docx_text(meetings.render_minutes_docx(minutes))


def test_long_free_text_breaks_lines_properly(poppler):
    """10,000 characters: all printed, no line starts with 、。」, no amount split."""
    sentence = "家計の状況を確認し、123,456円の支出について「見直し」を提案した。"
    body = (sentence * (10_000 // len(sentence) + 1))[:10_000]
    data = dataclasses.replace(samples.feedback(), body=body)
    pages = poppler.pages(exchanges.render_feedback_pdf(data))
    assert len(pages) >= 4
    lines = [line.strip() for page in pages for line in page.splitlines() if line.strip()]
    text = squeeze("".join(pages))
    assert text.count("「見直し」を提案した。") >= body.count("「見直し」を提案した。") - len(pages)
    assert squeeze(body[-40:]) in text
    assert not [line for line in lines if line[0] in "、。」"]
    # Every amount is whole on one line: as many on the lines as in the text.
    amounts = sum(len(re.findall(r"123,456円", line)) for line in lines)
    assert amounts == body.count("123,456円")


def test_wareki_at_era_boundaries():
    assert wareki(date(2019, 4, 30)) == "平成31年4月30日"
    assert wareki(date(2019, 5, 1)) == "令和元年5月1日"
    assert wareki(date(1989, 1, 7)) == "昭和64年1月7日"
    assert wareki(date(1989, 1, 8)) == "平成元年1月8日"
