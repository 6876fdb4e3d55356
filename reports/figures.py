"""The collaboration-status report (連携状況等確認, seed 000 §5): counts for a period and a scope.

Counts only, never a row about a resident: a count between 1 and the ``reports.small_cell``
setting (default 3) is shown as 「3未満」 everywhere (screen, chart, CSV, PDF, API); 0 is shown,
it identifies no one. A manager sees the figures where their own department is a party (its
cases, its consents, what it gave or received); the administrator sees the whole city; staff do
not see the report. Every view is an audit event.

Packages add tables with :func:`add_table` (the meetings package adds the conferences held),
so this package imports none of them beyond the records it counts.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    Select,
    and_,
    case,
    cast,
    distinct,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from hub import audit, jp, settings
from hub.db import count_rows, is_postgres
from hub.documents.consent.models import Consent, ConsentStatus
from hub.documents.hearing.criteria import CRITERIA
from hub.documents.hearing.models import CriteriaJudgement, Outcome
from hub.errors import Forbidden, InvalidInput
from hub.mailbox.models import Delivery, Message, MessageKind
from hub.models import Case, Department, Role, User
from hub.reports.settings import SMALL_CELL

NOT_ALLOWED = "連携状況の集計は、管理職（所属の数字）と管理者（市全体）が見られます。"
BACKWARDS = "終了日は開始日以降にしてください。"
TOO_LONG = "集計期間は5年以内にしてください。"


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included (Japan time)."""

    start: date
    end: date

    @classmethod
    def fiscal_year_to_date(cls, today: date) -> Period:
        """This 年度 so far: 4月1日 to today."""
        year = today.year if today.month >= 4 else today.year - 1
        return cls(date(year, 4, 1), today)

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(), jp.TOKYO).astimezone(UTC)

    @property
    def until(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.end + timedelta(days=1), time(), jp.TOKYO).astimezone(UTC)

    @property
    def label(self) -> str:
        return f"{jp.wareki(self.start)}〜{jp.wareki(self.end)}"


def parse_period(raw_from: str | None, raw_to: str | None, today: date) -> Period:
    """The period from the form or the query string (2026-04-01 or 令和8年4月1日)."""
    days: dict[str, date | None] = {}
    problems: dict[str, str] = {}
    for name, label, raw in (("from", "開始日", raw_from), ("to", "終了日", raw_to)):
        days[name] = None
        if raw and raw.strip():
            try:
                days[name] = jp.parse_date(raw)
            except ValueError as exc:
                problems[name] = f"{label}{exc}"
    if problems:
        raise InvalidInput(next(iter(problems.values())), fields=problems)
    return period(days["from"], days["to"], today)


def period(start: date | None, end: date | None, today: date) -> Period:
    """The period asked for (this 年度 so far by default); a backwards one is a 400."""
    default = Period.fiscal_year_to_date(today)
    chosen = Period(start or default.start, end or (default.end if not start else today))
    if chosen.end < chosen.start:
        raise InvalidInput(BACKWARDS, fields={"to": BACKWARDS})
    if chosen.end - chosen.start > timedelta(days=366 * 5):
        raise InvalidInput(TOO_LONG, fields={"from": TOO_LONG})
    return chosen


@dataclass(frozen=True)
class Scope:
    #: The departments whose figures these are (a manager's one, a study series' members);
    #: None: the whole city.
    department_ids: frozenset[int] | None
    label: str


@dataclass
class Table:
    key: str
    title: str
    #: The column headings after the row label.
    columns: tuple[str, ...]
    rows: Sequence[tuple[str, tuple[int, ...]]] = field(default_factory=list)
    note: str = ""


@dataclass
class Report:
    period: Period
    scope: Scope
    #: Counts from 1 to threshold - 1 are shown as 「{threshold}未満」.
    threshold: int
    tables: list[Table]

    def cell(self, count: int) -> str:
        if count == 0:
            return "0"
        if count < self.threshold:
            return f"{self.threshold}未満"
        return f"{count:,}"

    def shown(self, count: int) -> int | None:
        """The count where it may be shown, None where it is suppressed."""
        return count if count == 0 or count >= self.threshold else None


#: A table a package adds: built for the period and scope, or None when it has nothing.
TableProvider = Callable[[Session, Period, Scope], Table | None]
_PROVIDERS: list[TableProvider] = []


def add_table(provider: TableProvider) -> None:
    """Add a table to the report (after the built-in ones, in the order added)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def scope_for(session: Session, user: User) -> Scope:
    """The administrator: the city; a manager: their department; staff: 403 (audited)."""
    if user.role == Role.ADMIN:
        return Scope(None, "市全体")
    if user.role == Role.MANAGER:
        return Scope(frozenset({user.department_id}), user.department.name)
    raise audit.refuse(session, user, "report.view", Forbidden(NOT_ALLOWED), reason="staff")


def collaboration(
    session: Session,
    user: User,
    chosen: Period,
    *,
    action: str = "report.view",
    scope: Scope | None = None,
) -> Report:
    """The report for the period as the user may see it; an audit event (the period only).

    ``scope``: a scope the caller has already let the user see (a study session's member
    departments, for a participant); by default the user's own (:func:`scope_for`).
    """
    scope = scope or scope_for(session, user)
    tables = [
        _cases(session, chosen, scope),
        _consents(session, chosen, scope),
        _shares(session, chosen, scope),
        _requests(session, chosen, scope),
        _feedback(session, chosen, scope),
        _criteria(session, chosen, scope),
    ]
    tables += [t for t in (p(session, chosen, scope) for p in _PROVIDERS) if t is not None]
    audit.record(
        session,
        user,
        action,
        object_type="report",
        object_id="collaboration",
        reason=f"{chosen.start.isoformat()}..{chosen.end.isoformat()} {scope.label}",
    )
    threshold = int(settings.get(session, SMALL_CELL.key))
    return Report(chosen, scope, threshold, tables)


# ------------------------------------------------------------------ the built-in tables


def _count(session: Session, query: Select) -> int:
    return count_rows(session, select(func.count()).select_from(query.subquery()))


def _shared(chosen: Period, kind: MessageKind) -> Select:
    """Deliveries of messages of a kind sent in the period (recalled ones included)."""
    return (
        select(Delivery.id, Delivery.department_id, Message.sender_department_id)
        .join(Message, Message.id == Delivery.message_id)
        .where(
            Message.kind == kind,
            Message.sent_at >= chosen.since,
            Message.sent_at < chosen.until,
        )
    )


def _party(query: Select, scope: Scope) -> Select:
    if scope.department_ids is None:
        return query
    return query.where(
        or_(
            Delivery.department_id.in_(scope.department_ids),
            Message.sender_department_id.in_(scope.department_ids),
        )
    )


def _cases(session: Session, chosen: Period, scope: Scope) -> Table:
    opened = select(Case.id).where(Case.opened_at >= chosen.since, Case.opened_at < chosen.until)
    if scope.department_ids is not None:
        opened = opened.where(Case.lead_department_id.in_(scope.department_ids))
    shared = _party(
        select(Message.case_id)
        .distinct()
        .select_from(Delivery)
        .join(Message, Message.id == Delivery.message_id)
        .where(
            Message.kind == MessageKind.SHARE,
            Message.case_id.is_not(None),
            Message.sent_at >= chosen.since,
            Message.sent_at < chosen.until,
        ),
        scope,
    )
    return Table(
        "cases",
        "ケース",
        ("件数",),
        [
            ("開始したケース", (_count(session, opened),)),
            ("他の所管課と情報を共有したケース", (_count(session, shared),)),
        ],
    )


def _consents(session: Session, chosen: Period, scope: Scope) -> Table:
    def counted(*conditions) -> int:
        query = select(Consent.id).where(*conditions)
        if scope.department_ids is not None:
            query = query.where(Consent.obtaining_department_id.in_(scope.department_ids))
        return _count(session, query)

    inside = (chosen.start, chosen.end)
    active_at_end = and_(
        Consent.obtained_on <= chosen.end,
        Consent.valid_until >= chosen.end,
        or_(Consent.withdrawn_on.is_(None), Consent.withdrawn_on > chosen.end),
        Consent.status != ConsentStatus.DRAFT,
    )
    return Table(
        "consents",
        "本人の同意",
        ("件数",),
        [
            ("取得した同意", (counted(Consent.obtained_on.between(*inside)),)),
            ("期間末に有効な同意", (counted(active_at_end),)),
            ("撤回された同意", (counted(Consent.withdrawn_on.between(*inside)),)),
            (
                "期限切れになった同意",
                (
                    counted(
                        Consent.status == ConsentStatus.EXPIRED,
                        Consent.valid_until.between(
                            chosen.start - timedelta(days=1), chosen.end - timedelta(days=1)
                        ),
                    ),
                ),
            ),
        ],
    )


def _shares(session: Session, chosen: Period, scope: Scope) -> Table:
    sender, recipient = aliased(Department), aliased(Department)
    pairs = _party(
        select(sender.name, recipient.name, func.count())
        .select_from(Delivery)
        .join(Message, Message.id == Delivery.message_id)
        .join(sender, sender.id == Message.sender_department_id)
        .join(recipient, recipient.id == Delivery.department_id)
        .where(
            Message.kind == MessageKind.SHARE,
            Message.sent_at >= chosen.since,
            Message.sent_at < chosen.until,
        ),
        scope,
    ).group_by(sender.name, recipient.name)
    rows = [(f"{a} → {b}", (n,)) for a, b, n in session.execute(pairs.order_by(sender.name))]
    return Table(
        "shares",
        "情報共有（提供元 → 提供先）",
        ("共有件数",),
        rows,
        "" if rows else "期間中の情報共有はありません。",
    )


def _requests(session: Session, chosen: Period, scope: Scope) -> Table:
    asked = _party(_shared(chosen, MessageKind.SHARING_REQUEST), scope).subquery()
    states = select(
        func.count(),
        func.count().filter(Delivery.feedback_received_at.is_not(None)),
        func.count().filter(Delivery.declined_at.is_not(None)),
    ).where(Delivery.id.in_(select(asked.c.id)))
    total, answered, declined = session.execute(states).one()
    return Table(
        "requests",
        "情報共有の依頼",
        ("件数",),
        [
            ("依頼（宛先ごと）", (total,)),
            ("提供で回答", (answered,)),
            ("提供できない旨の回答", (declined,)),
            ("未回答", (total - answered - declined,)),
        ],
    )


def _japan_day(session: Session, column: Any) -> Any:
    """The day in Japan of a UTC timestamp column, in SQL (Japan has no summer time)."""
    if is_postgres(session):
        return cast(column + literal_column("interval '9 hours'"), Date)
    return func.date(column, "+9 hours")


def _feedback(session: Session, chosen: Period, scope: Scope) -> Table:
    received_on = _japan_day(session, Delivery.feedback_received_at)
    delivered_on = _japan_day(session, Delivery.delivered_at)
    took = (
        received_on - delivered_on
        if is_postgres(session)
        else func.julianday(received_on) - func.julianday(delivered_on)
    )
    due = _party(
        select(
            Delivery.feedback_received_at.is_(None),
            case((Delivery.feedback_received_at.is_(None), None), else_=took),
            received_on <= Delivery.feedback_due,
        )
        .join(Message, Message.id == Delivery.message_id)
        .where(
            Message.kind == MessageKind.SHARE,
            Delivery.feedback_due.between(chosen.start, chosen.end),
            Delivery.declined_at.is_(None),
        ),
        scope,
    )
    on_time = late = missing = 0
    days: list[float] = []
    for not_yet, took_days, in_time in session.execute(due):
        if not_yet:
            missing += 1
            continue
        days.append(float(took_days))
        if in_time:
            on_time += 1
        else:
            late += 1
    threshold = int(settings.get(session, SMALL_CELL.key))
    median = (
        f"受け取りまでの日数の中央値: {statistics.median(days):g}日"
        if len(days) >= threshold
        else "受け取りまでの日数の中央値: —（件数が少ないため表示しません）"
    )
    return Table(
        "feedback",
        "フィードバック（期限が期間内のもの）",
        ("件数",),
        [("期限内に受領", (on_time,)), ("期限後に受領", (late,)), ("未受領", (missing,))],
        median,
    )


def _criteria(session: Session, chosen: Period, scope: Scope) -> Table:
    met = (
        select(CriteriaJudgement.criterion, func.count(distinct(CriteriaJudgement.case_id)))
        .where(
            CriteriaJudgement.decision == Outcome.MET,
            CriteriaJudgement.judged_at >= chosen.since,
            CriteriaJudgement.judged_at < chosen.until,
        )
        .group_by(CriteriaJudgement.criterion)
    )
    if scope.department_ids is not None:
        met = met.join(Case, Case.id == CriteriaJudgement.case_id).where(
            Case.lead_department_id.in_(scope.department_ids)
        )
    counts: dict[int, int] = {n: c for n, c in session.execute(met)}
    return Table(
        "criteria",
        "共通目安に該当と判断したケース",
        ("ケース数",),
        [(f"{c.number}. {c.title}", (counts.get(c.number, 0),)) for c in CRITERIA],
    )
