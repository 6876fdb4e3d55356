"""The report's contracts: the period asked for and the tables answered (counts as shown)."""

from __future__ import annotations

from datetime import date

from pydantic import ConfigDict, Field

from hub.api.models import Day, Out, Query
from hub.reports.figures import Report
from hub.reports.figures import Table as FigureTable


class ReportQuery(Query):
    model_config = ConfigDict(populate_by_name=True)

    period_from: Day | None = Field(None, alias="from", title="集計期間の始め")
    period_to: Day | None = Field(None, alias="to", title="集計期間の終わり")


class Cell(Out):
    count: int | None = Field(description="件数（伏せたときは null）")
    text: str = Field(description="表示（「12」「3未満」「0」）")


class Row(Out):
    label: str
    cells: list[Cell]


class TableOut(Out):
    key: str = Field(description="cases, consents, shares, requests, feedback, criteria …")
    title: str
    columns: list[str]
    rows: list[Row]
    note: str

    @classmethod
    def of(cls, report: Report, table: FigureTable) -> TableOut:
        return cls(
            key=table.key,
            title=table.title,
            columns=list(table.columns),
            rows=[
                Row(
                    label=label,
                    cells=[Cell(count=report.shown(n), text=report.cell(n)) for n in counts],
                )
                for label, counts in table.rows
            ],
            note=table.note,
        )


class CollaborationReport(Out):
    """連携状況等確認: counts only; a count from 1 to ``small_cell`` − 1 is withheld."""

    scope: str = Field(description="「市全体」（管理者）または所属の名称（管理職）")
    period_from: date
    period_to: date
    small_cell: int = Field(description="この件数未満は「N未満」と表示し、件数は null")
    tables: list[TableOut]

    @classmethod
    def of(cls, report: Report) -> CollaborationReport:
        return cls(
            scope=report.scope.label,
            period_from=report.period.start,
            period_to=report.period.end,
            small_cell=report.threshold,
            tables=[TableOut.of(report, t) for t in report.tables],
        )
