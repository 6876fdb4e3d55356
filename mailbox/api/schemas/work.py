"""Working a message: feedback, triage, a decline, a manager's approval or return, an
acknowledgement (whose body may be left out).
"""

from __future__ import annotations

from typing import Any

from flask import request
from pydantic import ConfigDict, Field, model_validator

from hub.api.models import Body, Id, Maybe, Text
from hub.mailbox import compose
from hub.mailbox.api.schemas.pieces import SendingKey, choices, labels
from hub.mailbox.compose import DebtStatus, SupportStatus
from hub.mailbox.models import WorkStatus


class FeedbackInput(Body):
    """フィードバック: what was done and the support status, back to the sender."""

    done: Text = Field(max_length=4000, title="実施した支援・対応")
    support_status: SupportStatus = Field(
        title="支援の状況", description=choices(compose.SUPPORT_STATUSES)
    )
    debt_status: DebtStatus | Maybe = Field(
        None, title="民間債権の支払状況", description=choices(compose.DEBT_STATUSES)
    )
    debt_note: Text | Maybe = Field(None, max_length=2000, title="民間債権の支払状況（詳細）")
    next_steps: Text | Maybe = Field(None, max_length=2000, title="今後の予定")
    free_text: Text | Maybe = Field(None, max_length=4000, title="その他")
    subject: Text | Maybe = Field(
        None, max_length=compose.SUBJECT_MAX, title="件名", description="省略: 既定の件名"
    )
    body: Text | Maybe = Field(None, max_length=compose.BODY_MAX, title="本文")
    idempotency_key: SendingKey | Maybe = Field(None, title="送信キー")


class TriageInput(Body):
    """The department's 担当者 and/or 対応状況 (at least one)."""

    NULLABLE = frozenset({"assignee_id"})
    assignee_id: Id | None = Field(
        None, title="担当者", description="自所管課の職員のID（null で担当者を外す）"
    )
    work_status: WorkStatus | Maybe = Field(None, title="対応状況", description=labels(WorkStatus))


class DeclineInput(Body):
    reason: Text = Field(max_length=1000, title="辞退の理由")


class ReturnInput(Body):
    comment: Text = Field(max_length=2000, title="差戻しの理由")


class OptionalBody(Body):
    """A body that may be left out entirely (an action with nothing or little to say)."""

    # flask-openapi3 reads openapi_extra: the document marks the request body optional.
    model_config = ConfigDict(extra="forbid", openapi_extra={"required": False})  # type: ignore[typeddict-unknown-key]

    @model_validator(mode="before")
    @classmethod
    def _left_out(cls, data: Any) -> Any:
        """No body at all reads as ``{}``; a body that is not a JSON object stays refused."""
        if data is None and not request.get_data(cache=True):
            return {}
        return data


class AcknowledgeInput(OptionalBody):
    """Nothing to say (an empty object, or no body)."""


class ApprovalInput(OptionalBody):
    comment: Text | Maybe = Field(None, max_length=2000, title="コメント")
