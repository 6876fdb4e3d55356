"""The conferences' table in the collaboration-status report (連携状況等確認): how many case
conferences were held in the period (seed 000 ④, the city planned about 50 cases a year)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.db import count_rows
from hub.meetings.models import Meeting, MeetingKind, MeetingStatus, Participant
from hub.reports.figures import Period, Scope, Table


def conferences_held(session: Session, chosen: Period, scope: Scope) -> Table:
    """Conferences that took place in the period (decided, not cancelled), and those cancelled."""

    def counted(status: MeetingStatus, column) -> int:
        query = select(Meeting.id).where(
            Meeting.kind == MeetingKind.CONFERENCE,
            Meeting.status == status,
            column >= chosen.since,
            column < chosen.until,
        )
        if scope.department_ids is not None:
            query = query.where(
                Meeting.id.in_(
                    select(Participant.meeting_id).where(
                        Participant.department_id.in_(scope.department_ids)
                    )
                )
            )
        return count_rows(session, select(func.count()).select_from(query.subquery()))

    return Table(
        "conferences",
        "ケース会議",
        ("件数",),
        [
            (
                "開催日が期間内のケース会議（日時決定済み）",
                (counted(MeetingStatus.SCHEDULED, Meeting.starts_at),),
            ),
            ("中止したケース会議", (counted(MeetingStatus.CANCELLED, Meeting.updated_at),)),
        ],
    )
