"""The printing API's contracts: printouts' choices, case packets and the 相談先 directory.

One model per contract: each parses a request or serialises an answer and documents both.
Files themselves are answered as they are (PDF or Word), never wrapped in JSON.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hub.api.models import Body, DepartmentRef, Flag, Id, Int, Maybe, Out, Query, QueryIds, Text
from hub.documents.printing.delivery import PacketState
from hub.documents.printing.handout import MAX_WINDOWS, Choice
from hub.documents.printing.jobs import PASSWORD_MAX, RecipientOption
from hub.documents.printing.models import CounsellingWindow

Format = Literal["pdf", "docx"]


class PrintQuery(Query):
    format: Format = Field("pdf", title="形式", description="pdf（既定）または docx")


class SheetPrintQuery(PrintQuery):
    version: Id | None = Field(None, title="版", description="省略すると最新の版")


class HandoutPrintQuery(PrintQuery):
    window: QueryIds = Field(
        default_factory=list,
        max_length=50,
        title="相談先",
        description=f"案内する相談先の id（繰り返し指定、{MAX_WINDOWS}件まで）。省略すると"
        "ハブが勧める相談先",
    )


# ------------------------------------------------------------------ 相談先


class WindowOut(Out):
    id: int
    name: str = Field(description="相談先の名称")
    what_for: str = Field(description="こんなときに（相談できること）")
    place: str
    phone: str
    hours: str = Field(description="受付時間")
    note: str


class AdminWindowOut(WindowOut):
    keywords: str
    criteria: list[int] = Field(description="勧める共通目安の番号")
    facts: list[str] = Field(description="勧めるヒアリングシートの項目")
    sort_order: int
    is_active: bool

    @classmethod
    def of(cls, window: CounsellingWindow) -> AdminWindowOut:
        return cls.model_validate(window)


class AdminWindowList(Out):
    items: list[AdminWindowOut]


class WindowInput(Body):
    """A window as a whole (a change replaces every field; left out means empty or off)."""

    name: Text = Field(title="相談先の名称", max_length=100)
    what_for: Text = Field(title="こんなときに（相談できること）", max_length=500)
    keywords: Text = Field("", title="キーワード", max_length=500)
    place: Text = Field("", title="場所", max_length=200)
    phone: Text = Field("", title="電話番号", max_length=30)
    hours: Text = Field("", title="受付時間", max_length=100)
    note: Text = Field("", title="備考", max_length=300)
    criteria: list[Int] = Field(default_factory=list, max_length=6, title="共通目安")
    facts: list[Text] = Field(default_factory=list, max_length=20, title="シートの項目")
    sort_order: Int = Field(0, ge=-99999, le=99999, title="表示順")
    is_active: Flag = Field(True, title="使用中")


class HandoutChoice(Out):
    window: WindowOut
    suggested: bool = Field(description="ハブが勧める（理由は reasons）")
    reasons: list[str] = Field(description="勧める理由（「共通目安1（…）に該当」など）")

    @classmethod
    def of(cls, choice: Choice) -> HandoutChoice:
        return cls(
            window=WindowOut.model_validate(choice.window),
            suggested=choice.suggested,
            reasons=choice.reasons,
        )


class HandoutChoices(Out):
    """The windows in use; those the resident's situation suggests, as far as the reader's
    department may see it, with why."""

    max_windows: int = Field(description="1枚に載せられる相談先の数")
    items: list[HandoutChoice]


# ------------------------------------------------------------------ case packets


class PacketRecipient(Out):
    department: DepartmentRef
    own: bool = Field(description="自所管課の控え（すべての区分）")
    possible: bool = Field(description="今日の同意で作成できる")
    categories: list[str] = Field(description="今日の同意で提供できる情報の区分")
    reason: str = Field(description="作成できない理由（作成できるときは空）")

    @classmethod
    def of(cls, option: RecipientOption) -> PacketRecipient:
        return cls(
            department=DepartmentRef.of(option.department),
            own=option.is_own,
            possible=option.possible,
            categories=list(option.allowed),
            reason=option.reason,
        )


class PacketRecipients(Out):
    items: list[PacketRecipient]


class PacketInput(Body):
    recipient_id: Id = Field(title="提供先の所管課")
    method: Literal["own", "share", "paper"] | Maybe = Field(
        None,
        title="提供の方法",
        description="own: 自所管課の控え（提供先が自所管課のとき、省略可）/ share: 連絡で提供 / "
        "paper: 紙で提供",
    )
    format: Format = Field("pdf", title="形式")
    password: Text | Maybe = Field(
        None, title="パスワード", max_length=PASSWORD_MAX, description="PDF を開くパスワード"
    )


class PacketOut(Out):
    """A packet's progress and, once made, whether it may be downloaded today and why not."""

    id: int
    status: Literal["queued", "running", "done", "failed", "refused", "expired"]
    label: str = Field(description="状態（日本語）")
    done: int = Field(description="作成済みの項目数")
    total: int
    percent: int
    finished: bool
    error: str = Field(description="作成できなかった理由")
    reasons: list[str] = Field(description="今日ダウンロードできない理由（できるときは空）")
    downloadable: bool
    message_id: int | None = Field(description="連絡で提供したときの連絡")

    @classmethod
    def of(cls, state: PacketState) -> PacketOut:
        return cls(
            id=state.packet_id,
            status=state.status,
            label=state.label,
            done=state.done,
            total=state.total,
            percent=state.percent,
            finished=state.finished,
            error=state.error,
            reasons=state.reasons,
            downloadable=state.downloadable,
            message_id=state.message_id,
        )
