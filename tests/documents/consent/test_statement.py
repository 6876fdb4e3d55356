"""The 目的外利用・提供の内容 says exactly what the scope grants, is printed on the form, and
stays what the resident signed when the wording changes later."""

from __future__ import annotations

import io
import re

from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from hub import storage
from hub.documents.categories import InformationCategory
from hub.documents.consent import paper_form, scope, statement
from hub.models import Department, DepartmentKind

from .scopes import CATEGORIES

EXPECTED = """\
世田谷区は、あなたの同意に基づき、次のとおり、所管課が保有するあなたの情報を他の所管課に提供します。
（1）納税課は、保険料収納課に、滞納状況及び納付計画を提供します。
（2）納税課は、ぷらっとホーム世田谷に、滞納状況、収支の状況及び民間債務の状況を提供します。
（3）保険料収納課は、納税課に、滞納状況を提供します。
提供を受けた所管課は、これらの情報を「生活再建の支援」及び「ケース会議での検討」の目的に限り利用します。
上記以外の情報を提供し、又は上記以外の所管課に提供することはありません。"""


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _text_of_docx(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return _squeeze("".join(parts))


def test_the_statement_is_generated_from_exactly_the_scope(db, city, consents, grant, poppler):
    consent = consents.generated(
        [
            grant(city.hokenryo, city.nozei, "arrears"),
            grant(city.nozei, city.plat, "private_debts", "arrears", "household_budget"),
            grant(city.nozei, city.hokenryo, "payment_plan", "arrears"),
        ],
        purposes=("生活再建の支援", "ケース会議での検討"),
    )
    assert consent.statement_text == EXPECTED
    assert consent.withdrawal_clause == (
        "この同意は、いつでも撤回することができます。撤回するときは、世田谷区納税課"
        "（電話 03-5432-1111）に書面又は口頭でお申し出ください。撤回した日から、上記の情報の"
        "提供は行わず、既に提供を受けた所管課もこの同意に基づいて受け取った情報を閲覧できなく"
        "なります。撤回しても、あなたが不利益を受けることはありません。"
    )
    pdf = storage.read(db, consent.form_pdf)
    docx = storage.read(db, consent.form_docx)
    for text in (_squeeze("".join(poppler.pages(pdf))), _text_of_docx(docx)):
        for line in EXPECTED.splitlines():
            assert _squeeze(line) in text, line
        assert _squeeze(consent.withdrawal_clause) in text
        assert f"同意書番号{consent.id}" in text
        assert "財産の状況" not in text  # not granted: never printed


def test_later_wording_changes_do_not_touch_what_was_signed(
    db, city, consents, monkeypatch, poppler
):
    consent = consents.active()
    signed, clause = consent.statement_text, consent.withdrawal_clause
    monkeypatch.setattr(statement, "statement_text", lambda *a: "新しい文面")
    monkeypatch.setattr(statement, "withdrawal_clause", lambda *a: "新しい撤回の文面")
    db.expire_all()
    assert paper_form.form_data(db, consent, consent.obtained_on).statement_text == signed
    assert (consent.statement_text, consent.withdrawal_clause) == (signed, clause)
    assert "新しい文面" not in "".join(poppler.pages(storage.read(db, consent.form_pdf)))


def _department(n: int) -> Department:
    kind = DepartmentKind.SUPPORT if n >= 3 else DepartmentKind.COLLECTION
    return Department(id=n, code=f"d{n}", name=f"第{n}課", kind=kind)


@settings(max_examples=150, deadline=None)
@given(
    st.frozensets(
        st.tuples(st.integers(1, 5), st.integers(1, 5), st.sampled_from(CATEGORIES)).filter(
            lambda g: g[0] != g[1]
        ),
        min_size=1,
        max_size=30,
    )
)
def test_each_statement_line_is_one_pair_with_exactly_its_categories(grants):
    departments = {n: _department(n) for n in range(1, 6)}
    rows = scope.rows([scope.Grant(*g) for g in grants], departments)
    text = statement.statement_text("世田谷区", rows, ["生活再建の支援"])
    lines = [line for line in text.splitlines() if line.startswith("（")]
    pattern = re.compile(r"^（\d+）(第\d課)は、(第\d課)に、(.+)を提供します。$")
    found = set()
    labels = {InformationCategory(c).label: c for c in CATEGORIES}
    for line in lines:
        sender, recipient, listed = pattern.match(line).groups()
        for label in re.split(r"、|及び", listed):
            found.add((int(sender[1]), int(recipient[1]), labels[label]))
    assert found == set(grants)
    assert len(lines) == len({(s, r) for s, r, _c in grants})
