"""Department inboxes: order, filters, kana search, keyset pages, counts, the sent box, the
case timeline, and what is owed, awaited or unopened."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from mailkit import attempt, share_data
from sqlalchemy import event, inspect, select, update

from helpers import counted
from hub import jp, workdays
from hub.db import utcnow
from hub.documents.consent.models import Consent
from hub.errors import InvalidInput, NotFound
from hub.mailbox import approval, followups, inbox, read, send
from hub.mailbox.inbox import InboxFilter
from hub.mailbox.models import Delivery, MessageKind, WorkStatus
from hub.models import Role


@pytest.fixture
def mail(db, city, consents, grant, make_resident, make_case):
    """Consent 納税課 ↔ 保険料収納課 for 山田さん; a second case (佐藤さん) with its own consent."""
    consents.active(
        [
            grant(city.nozei, city.hokenryo, "arrears", "life_situation"),
            grant(city.hokenryo, city.nozei, "arrears"),
        ]
    )
    sato = make_resident("佐藤 花子", "サトウ ハナコ", department=city.nozei, atena_no="0002000002")
    other = make_case(resident=sato, lead=city.nozei, departments=[city.hokenryo])
    yamada = city.resident
    city.resident = sato
    try:
        consents.active([grant(city.nozei, city.hokenryo, "arrears")])
    finally:
        city.resident = yamada
    return other


def share(db, city, subject, *, case_id=None, user=None, to=None, **extra):
    data = share_data(
        case_id or city.case_id,
        to or [city.hokenryo],
        subject=subject,
        body_categories=["arrears"],
        **extra,
    )
    return attempt(db, send.send, user or city.staff, data).message


def notice(db, city, subject, *, to=None):
    return attempt(
        db, send.send, city.staff, share_data(None, to or [city.hokenryo], subject=subject)
    ).message


def ids(page):
    return [d.message_id for d in page.rows]


def test_unread_first_then_newest_then_recalled(db, city, mail, consents):
    first = share(db, city, "一通目")
    second = share(db, city, "二通目")
    third = share(db, city, "三通目")
    attempt(db, read.open_message, city.hokenryo_staff, second.id)
    assert ids(inbox.inbox(db, city.hokenryo_staff)) == [third.id, first.id, second.id]
    assert inbox.counts(db, city.hokenryo_staff).unread == 2
    # Someone else's inbox is its own: 納税課 received nothing, 介護保険課 neither.
    assert inbox.inbox(db, city.staff).rows == []
    assert inbox.inbox(db, city.outsider).rows == []


def test_each_filter(db, city, mail, make_user):
    today = jp.today()
    colleague = make_user(department=city.hokenryo, login_id="hokenryo02")
    plain = share(db, city, "共有のみ")
    asked = share(
        db, city, "回答をお願いします", feedback_due=(today + timedelta(days=3)).isoformat()
    )
    late = share(db, city, "期限の近い依頼", feedback_due=today.isoformat())
    other_case = share(db, city, "佐藤さんの件", case_id=mail.id)
    note = notice(db, city, "勉強会のお知らせ")
    attempt(db, read.open_message, city.hokenryo_staff, plain.id)
    attempt(
        db,
        read.triage,
        city.hokenryo_staff,
        asked.id,
        {"assignee_id": colleague.id, "work_status": "doing"},
    )
    user = city.hokenryo_staff

    def only(f, **kwargs):
        return set(ids(inbox.inbox(db, user, f, **kwargs)))

    everything = {plain.id, asked.id, late.id, other_case.id, note.id}
    assert only(InboxFilter()) == everything
    assert only(InboxFilter(kind=MessageKind.NOTICE)) == {note.id}
    assert only(InboxFilter(kind=MessageKind.SHARE)) == everything - {note.id}
    assert only(InboxFilter(case_id=mail.id)) == {other_case.id}
    assert only(InboxFilter(case_id=city.case_id)) == {plain.id, asked.id, late.id}
    assert only(InboxFilter(due=True)) == {asked.id, late.id}
    assert only(InboxFilter(overdue=True)) == set()
    # Overdue from the opening day after the (effective) due date: the working-day calendar.
    next_open = workdays.add(workdays.effective_due(today), 1)
    assert only(InboxFilter(overdue=True), today=next_open) == {late.id}
    assert only(InboxFilter(unread=True)) == everything - {plain.id}
    assert only(InboxFilter(status=WorkStatus.DOING)) == {asked.id}
    assert only(InboxFilter(status=WorkStatus.TODO)) == everything - {asked.id}
    assert only(InboxFilter(mine=True)) == set()
    assert set(ids(inbox.inbox(db, colleague, InboxFilter(mine=True)))) == {asked.id}
    assert only(InboxFilter(recalled=True)) == set()
    assert only(InboxFilter(unread=True, case_id=city.case_id, due=True)) == {asked.id, late.id}

    # The same filters read from query arguments; a bad value is a 400 naming the field.
    parsed = inbox.parse_filter({"kind": "notice", "due": "1", "q": " 山田 "})
    assert parsed == InboxFilter(kind=MessageKind.NOTICE, due=True, q="山田")
    for bad in ({"kind": "spam"}, {"due": "yes"}, {"status": "x"}, {"case_id": "a"}):
        with pytest.raises(InvalidInput) as err:
            inbox.parse_filter(bad)
        assert set(bad) <= set(err.value.fields)
    with pytest.raises(InvalidInput):
        inbox.inbox(db, user, cursor="0.abc")

    # Feedback due: counts, what the recipient owes and what the sender waits for.
    assert inbox.counts(db, user).as_dict() == {
        "unread": 4,
        "owed": 2,
        "overdue": 0,
        "approvals": 0,
    }
    assert inbox.counts(db, user, today=next_open).overdue == 1
    assert [d.message_id for d in followups.owed(db, user)] == [late.id, asked.id]
    assert [d.message_id for d in followups.open_requests(db, city.staff)] == [late.id, asked.id]
    two_late = workdays.add(workdays.effective_due(today), 2)
    assert followups.days_left(late.feedback_due, two_late) == -2


@pytest.mark.parametrize(
    "query", ["ﾔﾏﾀﾞ", "やまだ", "ヤマダ　タロウ", "山田", "０００１０００００１"]
)
def test_kana_search_forgives_width_and_script(db, city, mail, query):
    yamada = share(db, city, "滞納状況の共有")
    share(db, city, "佐藤さんの滞納状況", case_id=mail.id)
    notice(db, city, "勉強会のお知らせ")
    found = inbox.inbox(db, city.hokenryo_staff, InboxFilter(q=query))
    assert ids(found) == [yamada.id]
    assert [m.id for m in inbox.sent(db, city.staff, q=query).rows] == [yamada.id]


def test_search_words_all_must_match_and_are_not_patterns(db, city, mail):
    match = share(db, city, "家計の見直し 100%")
    other = share(db, city, "家計の相談", case_id=mail.id)
    assert ids(inbox.inbox(db, city.hokenryo_staff, InboxFilter(q="家計　やまだ"))) == [match.id]
    # Words under three characters (no trigram to look up) still match, alone or together.
    both = inbox.inbox(db, city.hokenryo_staff, InboxFilter(q="家計"))
    assert sorted(ids(both)) == sorted([match.id, other.id])
    assert ids(inbox.inbox(db, city.hokenryo_staff, InboxFilter(q="ﾔﾏ 見直"))) == [match.id]
    assert ids(inbox.inbox(db, city.hokenryo_staff, InboxFilter(q="100%"))) == [match.id]
    assert ids(inbox.inbox(db, city.hokenryo_staff, InboxFilter(q="%"))) == [match.id]
    assert ids(inbox.inbox(db, city.hokenryo_staff, InboxFilter(q="_"))) == []


def test_full_names_with_two_character_parts_find_only_the_messages_holding_every_part(db, city):
    both = notice(db, city, "アベ面談の記録 ユミ")
    notice(db, city, "アベ面談の記録")
    notice(db, city, "ユミの件")
    longer = notice(db, city, "アベノ ユミコ")
    repeated = notice(db, city, "ミミミ の件")
    user = city.hokenryo_staff
    assert ids(inbox.inbox(db, user, InboxFilter(q="ｱﾍﾞ ﾕﾐ"))) == [longer.id, both.id]
    assert ids(inbox.inbox(db, user, InboxFilter(q="あべの　ゆみ"))) == [longer.id]
    # A doubled word is in the doubled text only where the word is in the text.
    assert ids(inbox.inbox(db, user, InboxFilter(q="ミミ の件"))) == [repeated.id]
    assert ids(inbox.inbox(db, user, InboxFilter(q="ﾍﾞﾕ ﾐｺ"))) == []


@pytest.mark.only_backend("postgresql")
def test_two_character_parts_are_looked_up_in_the_search_index(db, city):
    """The query's doubled text is the index's expression (else every message is rewritten)."""
    from hub.mailbox import search

    notice(db, city, "アベ ユミ")
    connection = db.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    statement = select(search.Message.id).where(
        *(
            search.search_pairs(search.Message.search_text).contains(search.pairs(w))
            for w in ("アベ", "ユミ")
        )
    )
    compiled = statement.compile(connection, compile_kwargs={"literal_binds": True})
    plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
    assert "ix_messages_search" in plan, plan


def test_keyset_pages_return_every_row_once_while_mail_arrives(db, city):
    sent = [notice(db, city, f"お知らせ{n}") for n in range(120)]
    for message in sent[::4]:  # a quarter of them read
        attempt(db, read.open_message, city.hokenryo_staff, message.id)
    read_ids = {m.id for m in sent[::4]}
    expected = sorted((m.id for m in sent), key=lambda i: (1 if i in read_ids else 0, -i))
    seen, cursor, arrived, pages = [], None, [], 0
    while True:
        page = inbox.inbox(db, city.hokenryo_staff, cursor=cursor, limit=25)
        seen += ids(page)
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
        arrived.append(notice(db, city, f"途中で届いた{pages}").id)  # new mail between pages
    assert pages == 5
    assert [i for i in seen if i not in arrived] == expected
    assert len(seen) == len(set(seen))
    # The new mail is on the first page of a fresh look, unread first.
    assert ids(inbox.inbox(db, city.hokenryo_staff, limit=len(arrived))) == arrived[::-1]
    assert inbox.counts(db, city.hokenryo_staff).unread == 90 + len(arrived)


def test_the_page_statement_carries_its_size_in_its_text(db, city):
    """The inbox's page statement is prepared once per connection: PostgreSQL keeps one plan
    for it only while that plan looks no dearer than planning each call, and a LIMIT sent as
    a parameter made it look twice as dear on a large inbox (every call planned anew)."""
    for n in range(4):
        notice(db, city, f"お知らせ{n}")
    sent: list[str] = []

    def remember(_conn, _cursor, statement, *_args):
        sent.append(" ".join(statement.split()))

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", remember)
    try:
        page = inbox.inbox(db, city.hokenryo_staff, limit=2)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert len(page.rows) == 2 and page.next_cursor is not None
    (statement,) = [s for s in sent if s.startswith("SELECT deliveries.id, deliveries.read_rank,")]
    assert re.search(r"LIMIT 3( OFFSET \?)?$", statement), statement  # SQLite adds OFFSET 0
    assert not re.search(r"LIMIT (\?|%\()", statement), statement


def test_sent_box_pages_and_holds_pending_and_returned(db, city, mail, make_user):
    manager = make_user(Role.MANAGER, department=city.nozei, login_id="nozei-mgr")
    messages = [share(db, city, f"共有{n}") for n in range(5)]
    city.nozei.requires_approval = True
    db.commit()
    pending = share(db, city, "承認待ちの共有")
    returned = share(db, city, "差し戻される共有")
    attempt(db, approval.return_to_sender, manager, returned.id, "宛先を確認してください")
    everything = [returned.id, pending.id, *[m.id for m in reversed(messages)]]
    first = inbox.sent(db, city.staff, limit=4)
    second = inbox.sent(db, city.staff, first.next_cursor, limit=4)
    assert [m.id for m in first.rows + second.rows] == everything
    assert second.next_cursor is None
    assert inbox.sent(db, city.hokenryo_staff).rows == []
    assert inbox.counts(db, manager).approvals == 1


def test_timeline_shows_both_directions_and_tombstones(db, city, mail, consents, grant):
    ours = share(db, city, "納税課から")
    theirs = share(
        db, city, "保険料収納課から", user=city.hokenryo_staff, to=[city.nozei], parent_id=ours.id
    )
    elsewhere = share(db, city, "佐藤さんの件", case_id=mail.id)
    rows = inbox.timeline(db, city.staff, city.case_id)
    assert [(m.id, d is None) for m, d in rows] == [(ours.id, True), (theirs.id, False)]
    rows = inbox.timeline(db, city.hokenryo_staff, city.case_id)
    assert [(m.id, d is None) for m, d in rows] == [(ours.id, False), (theirs.id, True)]
    assert elsewhere.id not in [m.id for m, _ in rows]
    # Withdrawal: what each received becomes a tombstone there; each keeps what it sent.
    consent = mail_consent(db, city)
    consents.withdraw(consent)
    db.expire_all()
    rows = inbox.timeline(db, city.hokenryo_staff, city.case_id)
    assert [(m.id, d.is_recalled if d else None) for m, d in rows] == [
        (ours.id, True),
        (theirs.id, None),
    ]
    rows = inbox.timeline(db, city.staff, city.case_id)
    assert [(m.id, d.is_recalled if d else None) for m, d in rows] == [
        (ours.id, None),
        (theirs.id, True),
    ]
    page = inbox.inbox(db, city.hokenryo_staff)
    assert ids(page)[-1] == ours.id and page.rows[-1].read_rank == 2
    assert ids(inbox.inbox(db, city.hokenryo_staff, InboxFilter(recalled=True))) == [ours.id]
    # An uninvolved department sees no timeline at all.
    with pytest.raises(NotFound):
        inbox.timeline(db, city.outsider, city.case_id)


def test_timeline_loads_only_what_its_rows_show(db, city, mail, consents, grant):
    """A case gathers tens of messages: the page's timeline brings their recipients, the API's
    each recipient's delivery; neither brings the documents nor the sender's account."""
    ours = share(db, city, "納税課から")
    db.expire_all()
    ((message, own),) = inbox.timeline(db, city.staff, city.case_id)
    assert message.id == ours.id and own is None
    unloaded = inspect(message).unloaded
    assert {"documents", "sender_user", "deliveries"} <= unloaded
    assert "recipients" not in unloaded
    assert [r.department_id for r in message.recipients] == [city.hokenryo.id]
    db.expire_all()
    ((message, _own),) = inbox.timeline(db, city.staff, city.case_id, receipts=True)
    unloaded = inspect(message).unloaded
    assert {"documents", "sender_user", "recipients"} <= unloaded
    assert "deliveries" not in unloaded
    assert [d.department_id for d in message.deliveries] == [city.hokenryo.id]


def test_follow_up_lists_read_their_rows_in_one_statement(db, city, mail):
    """A busy department waits on thousands of deliveries: each list is one statement with
    what its rows show (the message, its sender and the recipient), however long it is."""
    asked = [
        share(
            db, city, f"回答のお願い{n}", feedback_due=(jp.today() + timedelta(days=7)).isoformat()
        )
        for n in range(3)
    ]
    db.execute(
        update(Delivery)
        .where(Delivery.message_id.in_([m.id for m in asked]))
        .values(delivered_at=utcnow() - timedelta(days=10))
    )
    db.commit()
    db.expire_all()
    assert city.staff.department_id and city.hokenryo_staff.department_id
    with counted(db) as sent:
        lists = {
            "owed": followups.owed(db, city.hokenryo_staff),
            "waiting": followups.open_requests(db, city.staff),
            "unopened": followups.unopened(db, city.staff, 3),
        }
        shown = {
            name: [(d.message.subject, d.message.sender_department.name, d.department.name)
                   for d in rows]
            for name, rows in lists.items()
        }  # fmt: skip
    expected = [(m.subject, "納税課", "保険料収納課") for m in asked]
    assert shown == {"owed": expected, "waiting": expected, "unopened": expected}
    assert len(sent) == 3, sent  # one SELECT per list, none per row


def mail_consent(db, city):
    return db.scalar(
        select(Consent).where(Consent.resident_id == city.resident.id).order_by(Consent.id)
    )


def test_unopened_after_n_days(db, city, mail):
    old = share(db, city, "古い共有", to=[city.hokenryo])
    opened = share(db, city, "開封済み")
    fresh = share(db, city, "新しい共有")
    four_days_ago = utcnow() - timedelta(days=4)
    db.execute(
        update(Delivery)
        .where(Delivery.message_id.in_([old.id, opened.id]))
        .values(delivered_at=four_days_ago)
    )
    db.commit()
    attempt(db, read.open_message, city.hokenryo_staff, opened.id)
    assert [d.message_id for d in followups.unopened(db, city.staff, 3)] == [old.id]
    assert [d.message_id for d in followups.unopened(db, city.staff)] == [old.id]  # default 3
    assert [d.message_id for d in followups.unopened(db, city.staff, 5)] == []
    assert followups.unopened(db, city.hokenryo_staff, 3) == []  # only for the sender
    assert fresh.id not in [d.message_id for d in followups.unopened(db, city.staff, 1)]
