"""The printouts' contracts: a message's form and a resident's 提供記録."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from hub.api.models import Day, Out, Query, Text
from hub.documents.render.disclosures import PURPOSES, DisclosureRow
from hub.mailbox.api.schemas.pieces import choices
from hub.mailbox.disclosures import Record


class PeriodQuery(Query):
    model_config = ConfigDict(populate_by_name=True)

    period_from: Day | None = Field(None, alias="from", title="対象期間の始め")
    period_to: Day | None = Field(None, alias="to", title="対象期間の終わり")

    @field_validator("period_to")
    @classmethod
    def _not_before_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("period_from")
        if value is not None and start is not None and value < start:
            raise ValueError("対象期間の終わりが始めより前になっています。")
        return value


class DisclosurePrintQuery(PeriodQuery):
    format: Literal["pdf", "docx"] = Field(
        "pdf", title="形式", description="pdf（既定）または docx"
    )
    purpose: Literal["own_copy", "disclosure_request"] = Field(
        "own_copy", title="作成の目的", description=choices(PURPOSES)
    )
    number: Text = Field("", max_length=30, title="受付番号", description="開示請求の受付番号")


class DisclosureOut(Out):
    """One provision: who gave whom what, when, under which consent, how."""

    provided_on: date
    from_department: str
    to_department: str
    categories: list[str] = Field(description="情報の区分（日本語）")
    consent_numbers: list[int] = Field(description="根拠とした同意（同意書番号）")
    basis: str = Field(description="根拠")
    method: Literal["ハブ", "紙"] = Field(description="ハブ: 連絡で提供 / 紙: 紙で提供")
    read_on: date | None = Field(description="提供先が開いた日")
    recalled_on: date | None = Field(description="同意の範囲外となり取り消した日")
    message_id: int | None = Field(description="提供した連絡（紙は null）")

    @classmethod
    def of(cls, row: DisclosureRow, message_id: int | None) -> DisclosureOut:
        numbers = row.consent_numbers or ((row.consent_number,) if row.consent_number else ())
        return cls(
            provided_on=row.provided_on,
            from_department=row.from_department,
            to_department=row.to_department,
            categories=list(row.categories),
            consent_numbers=list(numbers),
            basis=row.basis,
            method=row.method,
            read_on=row.read_on,
            recalled_on=row.recalled_on,
            message_id=message_id,
        )


class DisclosureRecord(Out):
    """The resident's 提供記録 as far as the user's department gave or received."""

    scope_note: str = Field(description="この記録が含む提供の範囲")
    items: list[DisclosureOut]

    @classmethod
    def of(cls, found: Record) -> DisclosureRecord:
        rows = zip(found.rows, found.messages, strict=True)
        return cls(scope_note=found.scope_note, items=[DisclosureOut.of(r, m) for r, m in rows])
