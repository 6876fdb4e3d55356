"""The report as a chart (SVG made here, no script), CSV for Excel, and PDF/Word.

Every output shows a cell the same way (:meth:`Report.cell`): a suppressed count is 「3未満」 in
the table and has no bar in the chart, so no output gives away what another hides.
"""

from __future__ import annotations

import csv
import io
from xml.sax.saxutils import escape

from markupsafe import Markup

from hub import jp
from hub.documents.render.blocks import Block, Content, Heading, KeyValues, Note, Table, Title
from hub.documents.render.emit import render_docx, render_pdf
from hub.documents.render.page import Marking
from hub.reports.figures import Report
from hub.reports.figures import Table as FigureTable

TITLE = "連携状況等確認"
SUPPRESSION = (
    "{threshold}件未満の集計は、対象者の特定を避けるため「{threshold}未満」と表示しています。"
)

BAR_HEIGHT, GAP, LABEL_WIDTH, BAR_WIDTH = 18, 6, 260, 300


def bar_chart(report: Report, table: FigureTable) -> Markup:
    """A horizontal bar per row (first column); a suppressed row draws no bar, only its text."""
    shown = [report.shown(counts[0]) for _label, counts in table.rows]
    top = max([n for n in shown if n] or [1])
    height = len(table.rows) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + 80
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(table.title)}のグラフ">'
    ]
    for n, ((label, counts), value) in enumerate(zip(table.rows, shown, strict=True)):
        y = GAP + n * (BAR_HEIGHT + GAP)
        middle = y + BAR_HEIGHT / 2 + 4
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" class="label">'
            f"{escape(label)}</text>"
        )
        length = 0 if not value else max(2, round(BAR_WIDTH * value / top))
        if length:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" '
                'class="bar"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6}" y="{middle}" class="value">'
            f"{escape(report.cell(counts[0]))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above went through escape()


def csv_bytes(report: Report, encoding: str = "utf-8") -> bytes:
    """One block per table (title, headings, rows), UTF-8 with BOM for Excel, or CP932."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([TITLE, report.scope.label, report.period.label])
    writer.writerow([SUPPRESSION.format(threshold=report.threshold)])
    for table in report.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(["項目", *table.columns])
        for label, counts in table.rows:
            writer.writerow([label, *(report.cell(c) for c in counts)])
        if table.note:
            writer.writerow([table.note])
    text = out.getvalue()
    if encoding == "cp932":
        return text.encode("cp932", errors="replace")
    return ("\ufeff" + text).encode("utf-8")


def blocks(report: Report, made_by: str) -> tuple[Block, ...]:
    out: list[Block] = [
        Note(f"作成日　{jp.wareki(jp.today())}", align="R"),
        Title(TITLE),
        KeyValues(
            (
                ("集計の範囲", report.scope.label),
                ("集計期間", report.period.label),
                ("作成", made_by),
            )
        ),
        Note(SUPPRESSION.format(threshold=report.threshold)),
    ]
    for table in report.tables:
        out.append(Heading(table.title))
        rows = tuple(
            (label, *(report.cell(c) for c in counts)) for label, counts in table.rows
        ) or (("—", *("" for _ in table.columns)),)
        widths = (120.0, *(50.0 / len(table.columns) for _ in table.columns))
        out.append(Table(rows, widths, ("項目", *table.columns)))
        if table.note:
            out.append(Note(table.note))
    return tuple(out)


def content(report: Report, made_by: str) -> Content:
    marking = Marking(department=made_by, reference=TITLE, title=TITLE)
    return Content(marking, blocks(report, made_by))


def pdf_bytes(report: Report, made_by: str) -> bytes:
    return render_pdf(content(report, made_by))


def docx_bytes(report: Report, made_by: str) -> bytes:
    return render_docx(content(report, made_by))
