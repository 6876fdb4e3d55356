"""The meetings API's contracts: one model per request and answer (parse, serialise, document)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field

from hub.api.models import Body, Day, DepartmentRef, Id, Ids, Int, Out, Text, Timestamp
from hub.documents.categories import InformationCategory
from hub.meetings.minutes import MAX_ACTIONS, Action, MinutesInput
from hub.meetings.models import Answer, ClaimDecision, Meeting, MeetingStatus, StudySeries
from hub.meetings.services import MAX_SLOTS, MIN_SLOTS, Proposal
from hub.meetings.slots import tally
from hub.meetings.study import SeriesForm, rhythm_label

AnswerWord = Literal["yes", "maybe", "no"]


class MeetingPath(BaseModel):
    meeting_id: int = Field(ge=1, description="ケース会議のID")


class MeetingDepartmentPath(MeetingPath):
    department_id: int = Field(ge=1, description="外す所管課のID")


class ProposalIn(Body):
    department_ids: Ids = Field(min_length=1, title="参加する所管課", description="主催課以外")
    agenda: list[InformationCategory] = Field(
        min_length=1, max_length=9, title="議題（扱う情報の区分）"
    )
    slots: list[AwareDatetime] = Field(
        min_length=MIN_SLOTS,
        max_length=MAX_SLOTS,
        title="候補日時（開始）",
        description="タイムゾーン付き ISO 8601（2026-12-08T10:00:00+09:00）",
    )
    answer_deadline: AwareDatetime = Field(title="回答期限")
    duration_minutes: Int = Field(60, ge=15, le=240, title="所要時間（分）")
    purpose: Text = Field("", max_length=2000, title="目的")
    place: Text = Field("", max_length=200, title="場所")
    online_url: Text = Field("", max_length=500, title="オンライン会議のURL")

    def proposal(self) -> Proposal:
        return Proposal(
            department_ids=list(self.department_ids),
            agenda=[c.value for c in self.agenda],
            starts=list(self.slots),
            answer_deadline=self.answer_deadline,
            purpose=self.purpose,
            duration_minutes=self.duration_minutes,
            place=self.place,
            online_url=self.online_url,
        )


class SlotAnswerIn(Body):
    slot_id: Id
    answer: AnswerWord = Field(description="yes: ○ / maybe: △ / no: ×")


class AnswersIn(Body):
    answers: list[SlotAnswerIn] = Field(min_length=1, max_length=MAX_SLOTS)


class ChoiceIn(Body):
    slot_id: Id


class MoveIn(Body):
    starts_at: AwareDatetime = Field(title="新しい開始日時")


class DepartmentIn(Body):
    department_id: Id


class PeopleIn(Body):
    user_ids: Ids = Field(title="出席予定者", description="自所管課の職員のID（空: 取り消し）")


class PersonOut(Out):
    user_id: int
    name: str
    department_id: int


class ClaimIn(Body):
    claim: Text = Field(min_length=1, max_length=100, title="債権名")
    decision: ClaimDecision = Field(
        description="payment_plan 納付計画 / grace 徴収猶予 / conversion_grace 換価の猶予 / "
        "suspension 執行停止 / continue 継続"
    )


class ActionIn(Body):
    what: Text = Field(min_length=1, max_length=2000, title="対応すること")
    owner_department_id: Id = Field(title="担当課（会議の参加課）")
    due_on: Day = Field(title="期限")


class MinutesIn(Body):
    attendees: list[Annotated[Text, Field(max_length=100)]] = Field(min_length=1, max_length=50)
    shared: Text = Field("", max_length=10_000, title="共有した内容")
    policy_pattern: Literal[1, 2, 3] | None = Field(None, title="今後の方針（①②③）")
    claims: list[ClaimIn] = Field(default_factory=list, max_length=20)
    actions: list[ActionIn] = Field(default_factory=list, max_length=MAX_ACTIONS)

    def minutes(self) -> MinutesInput:
        return MinutesInput(
            attendees=list(self.attendees),
            shared=self.shared,
            policy_pattern=self.policy_pattern,
            claims=[(c.claim, c.decision.value) for c in self.claims],
            actions=[Action(a.what, a.owner_department_id, a.due_on) for a in self.actions],
        )


class ActionOut(Out):
    what: str
    owner: DepartmentRef
    due_on: Day
    message_id: int | None = Field(description="担当課へのフィードバック依頼（連絡）")


class MinutesOut(Out):
    attendees: list[str]
    shared: str
    policy_pattern: int | None
    claims: list[dict[str, str]]
    actions: list[ActionOut]


class DepartmentAnswer(Out):
    department_id: int
    answer: AnswerWord


class SlotOut(Out):
    id: int
    starts_at: Timestamp
    ends_at: Timestamp
    yes: int
    maybe: int
    no: int
    answers: list[DepartmentAnswer]


class MeetingOut(Out):
    id: int
    kind: Literal["conference", "study"]
    series_id: int | None = Field(description="勉強会のとき、そのシリーズ")
    title: str = Field(description="「ケース会議（ケース12）」: 対象者の氏名は含まない")
    status: MeetingStatus
    case_id: int | None
    organiser: DepartmentRef
    departments: list[DepartmentRef]
    people: list[PersonOut] = Field(description="各参加課が登録した出席予定者")
    answer_deadline: Timestamp
    starts_at: Timestamp | None
    ends_at: Timestamp | None
    place: str
    online_url: str
    sequence: int = Field(description="カレンダーの SEQUENCE（日時変更のたびに1増える）")
    #: Case content: only within the consent on the day (else None and ``content_withheld``).
    purpose: str | None
    agenda: list[InformationCategory] | None
    content_withheld: bool
    slots: list[SlotOut]
    answer_owed: bool = Field(description="自所管課がまだ回答していない")
    minutes: MinutesOut | None = Field(description="議事録（同意の範囲内のとき、記録後）")

    @classmethod
    def of(cls, meeting: Meeting, sees_content: bool, owed: bool) -> MeetingOut:
        counts = {t.slot.id: t for t in tally(meeting.slots)}
        return cls(
            id=meeting.id,
            kind=meeting.kind.value,
            series_id=meeting.series_id,
            title=meeting.title,
            status=meeting.status,
            case_id=meeting.case_id if sees_content else None,
            organiser=DepartmentRef.of(meeting.organiser),
            departments=[DepartmentRef.of(p.department) for p in meeting.participants],
            people=[
                PersonOut(
                    user_id=p.user_id, name=p.user.display_name, department_id=p.department_id
                )
                for p in meeting.people
            ],
            answer_deadline=meeting.answer_deadline,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            place=meeting.place,
            online_url=meeting.online_url,
            sequence=meeting.sequence,
            purpose=meeting.purpose if sees_content else None,
            agenda=[InformationCategory(c) for c in meeting.agenda] if sees_content else None,
            content_withheld=not sees_content,
            slots=[
                SlotOut(
                    id=s.id,
                    starts_at=s.starts_at,
                    ends_at=s.ends_at,
                    yes=counts[s.id].yes,
                    maybe=counts[s.id].maybe,
                    no=counts[s.id].no,
                    answers=[
                        DepartmentAnswer(department_id=a.department_id, answer=a.answer.value)
                        for a in sorted(s.answers, key=lambda a: a.department_id)
                    ],
                )
                for s in meeting.slots
            ],
            answer_owed=owed,
            minutes=_minutes(meeting) if sees_content and meeting.minutes else None,
        )


def _minutes(meeting: Meeting) -> MinutesOut:
    minutes = meeting.minutes
    assert minutes is not None
    return MinutesOut(
        attendees=list(minutes.attendees),
        shared=minutes.shared,
        policy_pattern=minutes.policy_pattern,
        claims=list(minutes.claim_decisions),
        actions=[
            ActionOut(
                what=a.what,
                owner=DepartmentRef.of(a.owner),
                due_on=a.due_on,
                message_id=a.message_id,
            )
            for a in meeting.actions
        ],
    )


class MeetingSummary(Out):
    id: int
    title: str
    status: MeetingStatus
    organiser: DepartmentRef
    answer_deadline: Timestamp
    starts_at: Timestamp | None
    ends_at: Timestamp | None
    answer_owed: bool


class MeetingList(Out):
    items: list[MeetingSummary]


def answers_of(body: AnswersIn) -> dict[int, Answer]:
    return {a.slot_id: Answer(a.answer) for a in body.answers}


# ------------------------------------------------------------------ 勉強会


class SeriesPath(BaseModel):
    series_id: int = Field(ge=1, description="勉強会（シリーズ）のID")


class SeriesIn(Body):
    title: Text = Field(min_length=1, max_length=100, title="名称")
    department_ids: Ids = Field(
        min_length=2, title="参加する所管課", description="この順に当番課が回る"
    )
    first_month: Day = Field(title="初回の月", description="その月の1日（日は無視する）")
    interval_months: Literal[1, 2, 3, 6, 12] = Field(3, title="開催の間隔（月）")
    week_of_month: Int = Field(2, ge=1, le=5, title="第何週", description="5: 最終週")
    weekday: Int = Field(2, ge=0, le=4, title="曜日", description="0: 月曜 … 4: 金曜")
    start_time: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = Field(
        "14:00", title="開始時刻（HH:MM）"
    )
    duration_minutes: Int = Field(90, ge=30, le=240, title="所要時間（分）")
    place: Text = Field("", max_length=200, title="場所")
    online_url: Text = Field("", max_length=500, title="オンライン会議のURL")
    lead_days: Int = Field(42, ge=14, le=120, title="日程調整を始める日数（開催日の何日前）")

    def form(self) -> SeriesForm:
        return SeriesForm(
            title=self.title,
            department_ids=list(self.department_ids),
            first_month=self.first_month,
            interval_months=self.interval_months,
            week_of_month=self.week_of_month,
            weekday=self.weekday,
            start_time=self.start_time,
            duration_minutes=self.duration_minutes,
            place=self.place,
            online_url=self.online_url,
            lead_days=self.lead_days,
        )


class SessionSummary(Out):
    id: int
    number: str = Field(description="「第3回」")
    occurrence: Day | None = Field(description="開催リズム上の日")
    status: MeetingStatus
    host: DepartmentRef
    starts_at: Timestamp | None
    attendance: int = Field(description="出席者数")
    materials: int = Field(description="資料の件数")


class SeriesOut(Out):
    id: int
    title: str
    rhythm: str = Field(description="「四半期ごと（3か月）・第2水曜日 14:00〜」")
    departments: list[DepartmentRef] = Field(description="参加課（当番順）")
    interval_months: int
    week_of_month: int
    weekday: int
    first_month: Day
    start_time: str
    duration_minutes: int
    place: str
    online_url: str
    lead_days: int
    is_active: bool
    sessions: list[SessionSummary]

    @classmethod
    def of(cls, series: StudySeries) -> SeriesOut:
        return cls(
            id=series.id,
            title=series.title,
            rhythm=rhythm_label(series),
            departments=[DepartmentRef.of(m.department) for m in series.members],
            interval_months=series.interval_months,
            week_of_month=series.week_of_month,
            weekday=series.weekday,
            first_month=series.first_month,
            start_time=series.start_time,
            duration_minutes=series.duration_minutes,
            place=series.place,
            online_url=series.online_url,
            lead_days=series.lead_days,
            is_active=series.is_active,
            sessions=[
                SessionSummary(
                    id=m.id,
                    number=m.purpose,
                    occurrence=m.occurrence,
                    status=m.status,
                    host=DepartmentRef.of(m.organiser),
                    starts_at=m.starts_at,
                    attendance=len(m.attendance),
                    materials=len(m.materials),
                )
                for m in series.sessions
            ],
        )


class SeriesList(Out):
    items: list[SeriesOut]


class AttendanceIn(Body):
    user_ids: Ids = Field(title="出席した職員", description="参加課の職員のID")


class Attendee(Out):
    user_id: int
    name: str
    department: DepartmentRef


class AttendanceOut(Out):
    items: list[Attendee]

    @classmethod
    def of(cls, meeting: Meeting) -> AttendanceOut:
        return cls(
            items=[
                Attendee(
                    user_id=a.user_id,
                    name=a.user.display_name,
                    department=DepartmentRef.of(a.department),
                )
                for a in meeting.attendance
            ]
        )


class MaterialOut(Out):
    id: int
    title: str
    filename: str
    content_type: str
    size: int
    department: DepartmentRef
    uploaded_at: Timestamp
    name_warning_confirmed: bool = Field(
        description="住民の氏名と一致する文字列が見つかり、登録者が確認して登録した"
    )


class MaterialList(Out):
    items: list[MaterialOut]

    @classmethod
    def of(cls, meeting: Meeting) -> MaterialList:
        return cls(
            items=[
                MaterialOut(
                    id=m.id,
                    title=m.title,
                    filename=m.file.original_name,
                    content_type=m.file.content_type,
                    size=m.file.size,
                    department=DepartmentRef.of(m.department),
                    uploaded_at=m.uploaded_at,
                    name_warning_confirmed=m.name_warning_confirmed,
                )
                for m in meeting.materials
            ]
        )
