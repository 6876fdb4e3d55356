"""ケース会議 議事録 and the cover of 勉強会資料, ready for when conferences exist (issue 12).

Plain contracts only: nothing stores conferences yet, so phase 2 (or issue 12) fills these from
whatever the conference model becomes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hub.jp import wareki

from .blocks import Block, Bullets, Content, Heading, KeyValues, Note, Paragraph, Table, Title
from .emit import render_docx, render_pdf
from .page import TEXT_WIDTH_MM, Marking

MINUTES_TITLE = "ケース会議 議事録"
STUDY_TITLE = "勉強会資料"
ACTION_HEADINGS = ("対応すること", "担当", "期限")
ACTION_COLUMNS_MM = (TEXT_WIDTH_MM - 80.0, 45.0, 35.0)


@dataclass(frozen=True)
class ActionItem:
    what: str
    who: str
    due_on: date | None = None


@dataclass(frozen=True)
class MinutesData:
    case_reference: str
    resident_name: str
    department: str  # the department that keeps the minutes
    held_on: date
    time: str  # 「14:00〜15:00」
    place: str
    attendees: tuple[str, ...]  # 「納税課 山田」
    agenda: tuple[str, ...]
    discussion: str
    decisions: tuple[str, ...]
    actions: tuple[ActionItem, ...] = ()
    recorder: str = ""


@dataclass(frozen=True)
class StudyCoverData:
    title: str  # 「第3回 債権管理と生活困窮者支援の勉強会」
    department: str  # the organiser
    held_on: date
    place: str
    departments: tuple[str, ...]
    materials: tuple[str, ...]


def minutes_blocks(data: MinutesData) -> tuple[Block, ...]:
    """Every printed text of the minutes, in order."""
    out: list[Block] = [
        Title(MINUTES_TITLE),
        KeyValues(
            (
                ("ケース", data.case_reference),
                ("対象者", data.resident_name),
                ("日時", f"{wareki(data.held_on)}　{data.time}".strip()),
                ("場所", data.place),
                ("出席者", "、".join(data.attendees)),
                ("記録", data.recorder or data.department),
            )
        ),
        Heading("1　議題"),
        Bullets(data.agenda),
        Heading("2　協議の内容"),
        Paragraph(data.discussion, indent=True),
        Heading("3　決定事項"),
        Bullets(data.decisions),
    ]
    if data.actions:
        rows = tuple((a.what, a.who, wareki(a.due_on) or "—") for a in data.actions)
        out += [Heading("4　今後の対応"), Table(rows, ACTION_COLUMNS_MM, ACTION_HEADINGS)]
    return tuple(out)


def study_cover_blocks(data: StudyCoverData) -> tuple[Block, ...]:
    """The cover page of a study session's material."""
    return (
        Note(data.department, align="R"),
        Title(STUDY_TITLE),
        Paragraph(data.title, align="C"),
        KeyValues(
            (
                ("日時", wareki(data.held_on)),
                ("場所", data.place),
                ("参加所管課", "、".join(data.departments)),
            )
        ),
        Heading("資料"),
        Bullets(tuple(f"資料{n}　{name}" for n, name in enumerate(data.materials, 1))),
    )


def render_minutes_pdf(data: MinutesData) -> bytes:
    return render_pdf(Content(_minutes_marking(data), minutes_blocks(data)))


def render_minutes_docx(data: MinutesData) -> bytes:
    return render_docx(Content(_minutes_marking(data), minutes_blocks(data)))


def render_study_cover_pdf(data: StudyCoverData) -> bytes:
    marking = Marking(department=data.department, title=STUDY_TITLE)
    return render_pdf(Content(marking, study_cover_blocks(data)))


def render_study_cover_docx(data: StudyCoverData) -> bytes:
    marking = Marking(department=data.department, title=STUDY_TITLE)
    return render_docx(Content(marking, study_cover_blocks(data)))


def _minutes_marking(data: MinutesData) -> Marking:
    return Marking(department=data.department, reference=data.case_reference, title=MINUTES_TITLE)
