"""What the sender sees of each recipient's copy, and the recipient's own copy; a recalled
delivery keeps only when and why it was recalled.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from hub.api.models import Day, DepartmentRef, Out, PersonRef, Timestamp
from hub.mailbox import followups
from hub.mailbox.api.schemas.pieces import DAYS_LEFT, STATE, labels
from hub.mailbox.inbox import InboxRow
from hub.mailbox.models import Delivery, DeliveryState, WorkStatus


def owed_days(delivery: Delivery | InboxRow, today: date) -> int | None:
    """Days left (negative: overdue) while the department still owes an answer."""
    if delivery.is_recalled or delivery.feedback_received_at or delivery.declined_at:
        return None
    return followups.days_left(delivery.feedback_due, today)


class Recall(Out):
    """The tombstone's facts: when and why a delivery was recalled (null while it is not)."""

    recalled_at: Timestamp | None
    recalled_on: Day | None = Field(description="同意の範囲外となった日")
    recall_reason: str | None = Field(description="取消しの理由（個人情報を含まない）")

    @staticmethod
    def values(delivery: Delivery) -> dict[str, Any]:
        return {
            "recalled_at": delivery.recalled_at,
            "recalled_on": delivery.recalled_on,
            "recall_reason": delivery.recall_reason if delivery.is_recalled else None,
        }


class ReceiptFields(Recall):
    """What the sender sees of one recipient department's copy (every receipt's fields)."""

    department: DepartmentRef
    state: DeliveryState = Field(description=STATE)
    delivered_at: Timestamp
    opened_at: Timestamp | None = Field(description="受信所管で最初に開いた日時")
    opened_by: PersonRef | None
    acknowledged_at: Timestamp | None = Field(description="確認しました")
    acknowledged_by: PersonRef | None
    feedback_due: Day | None = Field(description="回答期限")
    feedback_received_at: Timestamp | None
    feedback_message_id: int | None = Field(description="回答した連絡")
    declined_at: Timestamp | None
    decline_reason: str | None = Field(description="辞退の理由")

    @staticmethod
    def values(delivery: Delivery) -> dict[str, Any]:
        return {
            "department": DepartmentRef.of(delivery.department),
            "state": delivery.state,
            "delivered_at": delivery.delivered_at,
            "opened_at": delivery.first_read_at,
            "opened_by": PersonRef.of(delivery.first_read_by),
            "acknowledged_at": delivery.acknowledged_at,
            "acknowledged_by": PersonRef.of(delivery.acknowledged_by),
            "feedback_due": delivery.feedback_due,
            "feedback_received_at": delivery.feedback_received_at,
            "feedback_message_id": delivery.feedback_message_id,
            "declined_at": delivery.declined_at,
            "decline_reason": delivery.decline_reason if delivery.declined_at else None,
            **Recall.values(delivery),
        }


class ReceiptOut(ReceiptFields):
    """What the sender sees of one recipient department's copy."""

    @classmethod
    def of(cls, delivery: Delivery) -> ReceiptOut:
        return cls(**cls.values(delivery))


class OwnDelivery(ReceiptFields):
    """The recipient department's own copy: the receipt plus its triage."""

    message_id: int
    days_left: int | None = Field(description=DAYS_LEFT)
    work_status: WorkStatus = Field(description=labels(WorkStatus))
    assignee: PersonRef | None = Field(description="担当者")

    @classmethod
    def of(cls, delivery: Delivery, today: date) -> OwnDelivery:
        return cls(
            message_id=delivery.message_id,
            **ReceiptFields.values(delivery),
            days_left=owed_days(delivery, today),
            work_status=delivery.work_status,
            assignee=PersonRef.of(delivery.assignee),
        )
