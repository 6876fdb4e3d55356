"""徴収可否の判断・今後の方針 (seed 000 ⑦): the pattern ①②③ and a decision per claim."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hub.documents.hearing import dates
from hub.jp import wareki, yen

from .blocks import Block, Content, Heading, KeyValues, Note, Paragraph, Table, Title
from .emit import render_docx, render_pdf
from .page import TEXT_WIDTH_MM, Cell, Marking

TITLE = "徴収可否の判断・今後の方針"
#: What a collection department may decide for one claim (国税徴収法・地方税法の用語).
DECISIONS = {
    "payment_plan": "納付計画（分割納付）",
    "collection_deferral": "徴収猶予",
    "realization_deferral": "換価の猶予",
    "suspension": "執行停止",
    "continue": "継続（通常の徴収）",
}
CLAIM_HEADINGS = ("債権", "滞納額", "判断", "月額", "回数・期間", "備考")
CLAIM_COLUMNS_MM = (26.0, 22.0, 36.0, 18.0, 30.0, TEXT_WIDTH_MM - 132.0)
CLAIM_PT = 9.0


@dataclass(frozen=True)
class ClaimDecision:
    claim: str  # 「特別区民税」
    arrears: int | None
    decision: str  # a key of DECISIONS
    monthly: int | None = None
    months: int | None = None
    start: str = ""  # "2026-12"
    until: str = ""  # "2027-09"
    note: str = ""


@dataclass(frozen=True)
class PolicyData:
    case_reference: str
    resident_name: str
    department: str  # the collection department that decided
    decided_by: str
    decided_on: date
    issued_on: date
    pattern: str  # "1", "2" or "3"
    #: The pattern's wording as it was sent (the frozen content's label).
    pattern_label: str
    note: str = ""
    #: Pattern ①: arrears brought forward go to 執行停止.
    stop_execution: bool = False
    claims: tuple[ClaimDecision, ...] = ()


def policy_blocks(data: PolicyData) -> tuple[Block, ...]:
    """Every printed text of the policy, in order."""
    out: list[Block] = [
        Note(f"作成日　{wareki(data.issued_on)}", align="R"),
        Title(TITLE),
        KeyValues(
            (
                ("ケース", data.case_reference),
                ("対象者", data.resident_name),
                ("判断した所管課", f"{data.department}　{data.decided_by}".strip()),
                ("判断日", wareki(data.decided_on)),
            )
        ),
        Heading("1　今後の方針"),
        Paragraph(data.pattern_label, indent=True),
    ]
    if data.stop_execution:
        out.append(Paragraph("滞納繰越分について、執行停止とする。", indent=True))
    if data.note:
        out.append(Paragraph(data.note, indent=True))
    if data.claims:
        out.append(Heading("2　債権ごとの判断"))
        rows = tuple(_row(c) for c in data.claims)
        out.append(Table(rows, CLAIM_COLUMNS_MM, CLAIM_HEADINGS, CLAIM_PT))
        monthly = sum(c.monthly or 0 for c in data.claims)
        if monthly:
            out.append(Note(f"納付計画の月額の合計　{yen(monthly)}"))
    return tuple(out)


def _row(claim: ClaimDecision) -> tuple[Cell | str, ...]:
    start, until = dates.month_label(claim.start), dates.month_label(claim.until)
    span = f"{start}〜\n{until}" if start and until else start or until
    term = "\n".join(filter(None, (f"{claim.months}回" if claim.months else "", span))) or "—"
    return (
        claim.claim,
        Cell(yen(claim.arrears) if claim.arrears is not None else "—", align="R"),
        DECISIONS.get(claim.decision, claim.decision),
        Cell(yen(claim.monthly) if claim.monthly else "—", align="R"),
        term,
        claim.note,
    )


def marking(data: PolicyData) -> Marking:
    return Marking(department=data.department, reference=data.case_reference, title=TITLE)


def render_policy_pdf(data: PolicyData) -> bytes:
    return render_pdf(Content(marking(data), policy_blocks(data)))


def render_policy_docx(data: PolicyData) -> bytes:
    return render_docx(Content(marking(data), policy_blocks(data)))
