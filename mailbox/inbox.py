"""Department inboxes, the sent box, counts, the case timeline and what is owed or unopened.

Every list is of the user's own department only, in services (not only in views). The inbox
is ordered unread first, then newest first, and pages by keyset on (read_rank, id): a page is
one index range scan however deep it is, and new mail arriving does not shift the pages.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    Select,
    Subquery,
    and_,
    bindparam,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased, lazyload

from hub import audit, jp, workdays
from hub.cases import services as cases
from hub.db import count_rows, row_limit
from hub.errors import Forbidden, InvalidInput
from hub.mailbox import search
from hub.mailbox.access import ADMIN_REFUSED
from hub.mailbox.models import (
    Delivery,
    DeliveryState,
    Message,
    MessageKind,
    MessageStatus,
    ReadState,
    WorkStatus,
)
from hub.models import Department, Role, User
from hub.validation import MAX_ID, parse_id

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
#: A page cursor: "read_rank.id" of the last row of the previous page (the sent box: "0.id").
CURSOR_PATTERN = r"^([0-2])\.([0-9]{1,10})$"
_CURSOR = re.compile(CURSOR_PATTERN)
FILTERS = ("kind", "case_id", "due", "overdue", "recalled", "unread", "status", "mine", "q")


@dataclass(frozen=True)
class InboxFilter:
    kind: MessageKind | None = None
    case_id: int | None = None
    #: Only deliveries that ask for feedback not yet sent.
    due: bool = False
    #: Only those whose feedback is overdue.
    overdue: bool = False
    recalled: bool = False
    unread: bool = False
    status: WorkStatus | None = None
    #: Only those assigned to the user.
    mine: bool = False
    #: Search words (subject, body, resident name/kana/宛名番号), folded like the index.
    q: str = ""

    @property
    def active(self) -> bool:
        return self != InboxFilter()


@dataclass(frozen=True, slots=True)
class Named:
    """A department as a list names it."""

    id: int
    name: str
    code: str


@dataclass(frozen=True, slots=True)
class Person:
    """A staff member as a list names them."""

    id: int
    display_name: str


@dataclass(frozen=True, slots=True)
class RowMessage:
    """What an inbox row shows of its message (never its body, documents or resident)."""

    id: int
    kind: MessageKind
    subject: str
    case_id: int | None
    sender_department: Named


@dataclass(frozen=True, slots=True)
class InboxRow(ReadState):
    """One row of the inbox: a delivery's own columns and what the list shows of its message.

    Read by one SELECT of these columns (:data:`ROW_COLUMNS`), not loaded as ORM objects: a
    page is fifty of these, the same for the API and the page.
    """

    id: int
    read_rank: int
    message: RowMessage
    state: DeliveryState
    work_status: WorkStatus
    delivered_at: datetime
    first_read_at: datetime | None
    acknowledged_at: datetime | None
    feedback_due: date | None
    feedback_received_at: datetime | None
    declined_at: datetime | None
    recalled_at: datetime | None
    recalled_on: date | None
    recall_reason: str
    assignee: Person | None

    @property
    def message_id(self) -> int:
        return self.message.id


Row = TypeVar("Row", Delivery, Message, InboxRow)


@dataclass(frozen=True)
class InboxPage(Generic[Row]):
    """A page of a box: deliveries (the inbox) or messages (the sent box)."""

    rows: list[Row]
    #: Opaque cursor of the next page ("rank.id"), None on the last page.
    next_cursor: str | None


def parse_filter(data: Mapping[str, Any]) -> InboxFilter:
    """Read filters from query arguments or JSON; a bad value is a 400 naming the field."""
    errors: dict[str, str] = {}

    def flag(name: str) -> bool:
        value = data.get(name)
        if value in (None, "", "0", "false", False):
            return False
        if value in ("1", "true", "on", True):
            return True
        errors[name] = "指定が正しくありません（1 または 0）。"
        return False

    kind = data.get("kind") or None
    if kind is not None and kind not in {k.value for k in MessageKind}:
        errors["kind"] = "連絡の種類の値が正しくありません。"
        kind = None
    status = data.get("status") or None
    if status is not None and status not in {s.value for s in WorkStatus}:
        errors["status"] = "対応状況の値が正しくありません。"
        status = None
    case_id = None
    if data.get("case_id") not in (None, ""):
        case_id = parse_id(data.get("case_id"))
        if case_id is None:
            errors["case_id"] = "ケースの指定が正しくありません。"
    q = data.get("q") or ""
    if not isinstance(q, str) or len(q) > 100:
        errors["q"] = "検索語は100文字以内で入力してください。"
        q = ""
    result = InboxFilter(
        kind=MessageKind(kind) if kind else None,
        case_id=case_id,
        due=flag("due"),
        overdue=flag("overdue"),
        recalled=flag("recalled"),
        unread=flag("unread"),
        status=WorkStatus(status) if status else None,
        mine=flag("mine"),
        q=q.strip(),
    )
    if errors:
        raise InvalidInput(fields=errors)
    return result


def parse_cursor(raw: Any) -> tuple[int, int] | None:
    if raw in (None, ""):
        return None
    match = _CURSOR.fullmatch(raw) if isinstance(raw, str) else None
    if match is None or int(match.group(2)) > MAX_ID:
        raise InvalidInput(fields={"cursor": "ページの指定が正しくありません。"})
    return int(match.group(1)), int(match.group(2))


def _listed(session: Session, user: User, action: str, count: int) -> None:
    audit.record(session, user, action, object_type="delivery", reason=f"{count} rows")


def audited_list(session: Session, user: User, action: str, rows: list) -> list:
    """The rows, with one audit event saying how many the user was shown."""
    _listed(session, user, action, len(rows))
    return rows


def require_worker(user: User) -> None:
    """Only staff and managers work cases (an administrator keeps the configuration)."""
    if not user.can_read_cases:
        raise Forbidden(ADMIN_REFUSED)


def awaiting_answer() -> tuple[Any, ...]:
    """Deliveries that asked for feedback or an answer not yet given (and not recalled)."""
    return (
        Delivery.feedback_due.is_not(None),
        Delivery.feedback_received_at.is_(None),
        Delivery.declined_at.is_(None),
        Delivery.state == DeliveryState.DELIVERED,
    )


def _filtered(
    query: Select, user: User, f: InboxFilter, today: date, *, dialect: str = ""
) -> Select:
    if f.kind is not None:
        query = query.where(Message.kind == f.kind)
    if f.case_id is not None:
        query = query.where(Message.case_id == f.case_id)
    if f.due or f.overdue:
        query = query.where(
            *awaiting_answer(),
        )
    if f.overdue:
        query = query.where(Delivery.feedback_due < workdays.overdue_before(today))
    if f.recalled:
        query = query.where(Delivery.state == DeliveryState.RECALLED)
    if f.unread:
        query = query.where(Delivery.read_rank == 0)
    if f.status is not None:
        query = query.where(Delivery.work_status == f.status)
    if f.mine:
        query = query.where(Delivery.assignee_id == user.id)
    for word in search.words(f.q):
        query = query.where(search.word_condition(word, dialect))
    return query


_SENDER = aliased(Department, name="sender")
_ASSIGNEE = aliased(User, name="assignee")

#: What an inbox row shows, in the order :func:`_row` reads it: the delivery's columns, the
#: message's kind, subject and case, its sender department and the assignee's name.
ROW_COLUMNS = (
    Delivery.id,
    Delivery.read_rank,
    Delivery.state,
    Delivery.work_status,
    Delivery.delivered_at,
    Delivery.first_read_at,
    Delivery.acknowledged_at,
    Delivery.feedback_due,
    Delivery.feedback_received_at,
    Delivery.declined_at,
    Delivery.recalled_at,
    Delivery.recalled_on,
    Delivery.recall_reason,
    Message.id,
    Message.kind,
    Message.subject,
    Message.case_id,
    _SENDER.id,
    _SENDER.name,
    _SENDER.code,
    _ASSIGNEE.id,
    _ASSIGNEE.display_name,
)


def _row(values: Any) -> InboxRow:
    (id_, rank, state, work, delivered, read, acked, due, answered, declined, recalled_at,
     recalled_on, reason, message_id, kind, subject, case_id, sender_id, sender_name,
     sender_code, assignee_id, assignee_name) = values  # fmt: skip
    message = RowMessage(
        message_id, kind, subject, case_id, Named(sender_id, sender_name, sender_code)
    )
    assignee = Person(assignee_id, assignee_name) if assignee_id is not None else None
    return InboxRow(id_, rank, message, state, work, delivered, read, acked, due, answered,
                    declined, recalled_at, recalled_on, reason, assignee)  # fmt: skip


#: The values of ``Delivery.read_rank``: 0 unread, 1 read, 2 recalled (the cursor allows these).
RANKS = (0, 1, 2)


def _rank_ids(department_id: Any, rank: int, size: Any, after_id: Any = None) -> Select:
    """The first ``size`` (id, read_rank) of one read_rank of the department (before
    ``after_id``), newest first: one backwards range of ``ix_deliveries_inbox`` (department,
    read_rank, id, message_id), stopped after ``size`` matching rows. The values may be bound
    parameters."""
    query = select(Delivery.id, Delivery.read_rank).where(
        Delivery.department_id == department_id, Delivery.read_rank == rank
    )
    if after_id is not None:
        query = query.where(Delivery.id < after_id)
    return query.order_by(Delivery.id.desc()).limit(size)


def _rank_range(
    user: User,
    f: InboxFilter,
    today: date,
    after: tuple[int, int] | None,
    rank: int,
    size: int,
    *,
    dialect: str = "",
    narrowed: Any = None,
) -> Select:
    """:func:`_rank_ids` after the cursor, with the filter's conditions: index only unless a
    filter needs the message."""
    after_id = after[1] if after is not None and rank == after[0] else None
    query = _rank_ids(user.department_id, rank, row_limit(size), after_id)
    if f.kind is not None or f.case_id is not None or f.q:
        query = query.join(Delivery.message)
    query = _filtered(query, user, f, today, dialect=dialect)
    if narrowed is not None:
        query = query.where(narrowed)
    return query


def _page_ids(
    session: Session,
    user: User,
    f: InboxFilter,
    today: date,
    after: tuple[int, int] | None,
    size: int,
) -> Subquery | list[int]:
    """The ids of one page: per read_rank, the first ``size`` after the cursor.

    The inbox orders by (read_rank, id desc), which no single index range yields across ranks
    (the index is ascending on both), and the keyset condition ``rank > r or (rank = r and
    id < last)`` is no index range either: each rank is its own range (:func:`_rank_range`).
    Without filters every range ends after ``size`` index entries, so the page stays one
    statement (their union as a subquery). With filters (a search) a range may have to walk
    far to find its rows, so the ranks are read one after the other and the next one only
    when the page is not yet full: a search reading the unread rows does not also walk the
    read ones.
    """
    ranks = [
        rank
        for rank in RANKS
        if not (after is not None and rank < after[0]) and not (f.unread and rank != 0)
    ]
    if not f.active:
        return _unfiltered_ids(tuple(ranks), after is not None)
    ids: list[int] = []
    # Plain column queries on the session's connection: no ORM entity, so no loader options
    # (the API adds its own to every ORM query of the page); autoflush as the ORM would.
    if session.autoflush:
        session.flush()
    connection = session.connection()
    dialect = connection.dialect.name
    narrowed = search.narrowing(connection, f.q)
    for rank in ranks:
        query = _rank_range(
            user, f, today, after, rank, size - len(ids), dialect=dialect, narrowed=narrowed
        )
        ids += connection.scalars(query)
        if len(ids) >= size:
            break
    return ids


@functools.cache
def _unfiltered_ids(ranks: tuple[int, ...], after: bool) -> Subquery:
    """The unfiltered page's ids as one subquery: the ranks' ranges, their first ``size`` in
    the inbox's order. Built once per shape (which ranks, after a cursor or not) with the
    department, the cursor and the size as parameters: the inbox is the most read page, and
    building and keying the statement cost more than running it."""
    department: Any = bindparam("department_id")
    size = row_limit("size")
    ranges = []
    for rank in ranks:
        after_id: Any = bindparam("after_id") if after and rank == ranks[0] else None
        ranges.append(select(_rank_ids(department, rank, size, after_id).subquery()))
    both = (ranges[0] if len(ranges) == 1 else union_all(*ranges)).subquery("ranges")
    return (
        select(both.c.id).order_by(both.c.read_rank, both.c.id.desc()).limit(size).subquery("page")
    )


@functools.cache
def _rows_of(page: Subquery | None) -> Select:
    """The columns of the page's rows: joined to the page's ids (a subquery built once with
    it) or, when ``page`` is None, for the list parameter ``ids``. The page is cut to its size
    before the join, so only its rows are looked up by primary key."""
    query = select(*ROW_COLUMNS)
    if page is not None:
        query = query.select_from(page).join(Delivery, Delivery.id == page.c.id)
    else:
        query = query.where(Delivery.id.in_(bindparam("ids", expanding=True)))
    return (
        query.join(Message, Delivery.message_id == Message.id)
        .join(_SENDER, Message.sender_department_id == _SENDER.id)
        .outerjoin(_ASSIGNEE, Delivery.assignee_id == _ASSIGNEE.id)
        .order_by(Delivery.read_rank, Delivery.id.desc())
        .limit(row_limit("size"))
    )


def inbox(
    session: Session,
    user: User,
    f: InboxFilter | None = None,
    cursor: str | None = None,
    *,
    limit: int = PAGE_SIZE,
    today: date | None = None,
) -> InboxPage[InboxRow]:
    """One page of the department's inbox: unread first, then newest first."""
    require_worker(user)
    f = f or InboxFilter()
    today = today or jp.today()
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    after = parse_cursor(cursor)
    ids = _page_ids(session, user, f, today, after, limit + 1)
    params: dict[str, Any] = {"size": limit + 1}
    rows: list[InboxRow] = []
    if isinstance(ids, list):
        query = _rows_of(None) if ids else None
        params["ids"] = ids
    else:
        query = _rows_of(ids)
        params["department_id"] = user.department_id
        if after is not None:
            params["after_id"] = after[1]
    if query is not None:
        # Plain rows on the session's connection: no ORM entity to load.
        if session.autoflush:
            session.flush()
        rows = [_row(values) for values in session.connection().execute(query, params)]
    more = len(rows) > limit
    rows = rows[:limit]
    # A list of subjects and cases is an access to personal data; a search names residents
    # (its words are not kept).
    _listed(session, user, "mailbox.search" if f.q else "mailbox.inbox", len(rows))
    next_cursor = f"{rows[-1].read_rank}.{rows[-1].id}" if more and rows else None
    return InboxPage(rows, next_cursor)


@dataclass(frozen=True)
class Counts:
    unread: int
    #: Feedback the department owes (asked, not sent, not recalled).
    owed: int
    overdue: int
    #: Messages of the department waiting for a manager (managers only, else 0).
    approvals: int

    def as_dict(self) -> dict[str, int]:
        return {
            "unread": self.unread,
            "owed": self.owed,
            "overdue": self.overdue,
            "approvals": self.approvals,
        }


def counts(session: Session, user: User, *, today: date | None = None) -> Counts:
    """The navigation's numbers, two index-range counts (plus one for managers)."""
    require_worker(user)
    today = today or jp.today()
    unread = count_rows(
        session,
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.department_id == user.department_id, Delivery.read_rank == 0),
    )
    owed_row = session.execute(
        select(
            func.count(),
            func.count().filter(Delivery.feedback_due < workdays.overdue_before(today)),
        ).where(
            Delivery.department_id == user.department_id,
            *awaiting_answer(),
        )
    ).one()
    approvals = 0
    if user.role == Role.MANAGER:
        approvals = count_rows(
            session,
            select(func.count())
            .select_from(Message)
            .where(
                Message.sender_department_id == user.department_id,
                Message.status == MessageStatus.PENDING_APPROVAL,
            ),
        )
    return Counts(unread, owed_row[0], owed_row[1], approvals)


def sent(
    session: Session,
    user: User,
    cursor: str | None = None,
    *,
    limit: int = PAGE_SIZE,
    q: str = "",
) -> InboxPage[Message]:
    """The department's sent box (approval pending and returned included), newest first.

    Rows are messages; ``next_cursor`` is "0.<id>".
    """
    require_worker(user)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    query = select(Message).where(Message.sender_department_id == user.department_id)
    for word in search.words(q):
        query = query.where(Message.search_text.contains(word, autoescape=True))
    after = parse_cursor(cursor)
    if after is not None:
        query = query.where(Message.id < after[1])
    rows = list(session.scalars(query.order_by(Message.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    _listed(session, user, "mailbox.search_sent" if q else "mailbox.sent", len(rows))
    return InboxPage(rows, f"0.{rows[-1].id}" if more and rows else None)


def timeline(
    session: Session, user: User, case_id: int, *, receipts: bool = False
) -> list[tuple[Message, Delivery | None]]:
    """Every exchange of a case the user's department sent or received, oldest first.

    Each row pairs the message with the department's own delivery (None when it sent it), so
    a recalled delivery is shown as a tombstone. A case gathers tens of messages over the
    years: only what a row shows is loaded with them — the recipients (the page names them),
    or with ``receipts`` each recipient's delivery (the API shows how far each got) — not their
    documents nor their sender's account (each loaded if asked for).
    """
    case = cases.get_visible(session, user, case_id, action="mailbox.timeline")
    query = (
        select(Message, Delivery)
        .outerjoin(
            Delivery,
            and_(Delivery.message_id == Message.id, Delivery.department_id == user.department_id),
        )
        .where(
            Message.case_id == case.id,
            or_(
                Message.sender_department_id == user.department_id,
                and_(Delivery.id.is_not(None), Message.status == MessageStatus.SENT),
            ),
        )
        .order_by(Message.id)
        .options(
            lazyload(Message.documents),
            lazyload(Message.sender_user),
            lazyload(Message.recipients if receipts else Message.deliveries),
        )
    )
    return [(m, d) for m, d in session.execute(query).all()]
