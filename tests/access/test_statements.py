"""No route reads row by row: as the city's lists grow, the statements each page and each API
answer makes stay the same.

A lazy load per row (an N+1) is invisible on a test city of a few rows and costs seconds on a
busy department: the follow-ups page made 6,691 statements and took 4 s on the benchmark's
department before its lists loaded their messages with their rows. Every GET route of the flow
crawl (tests/access/crawl.py: pages, the API, the files they link) is read as a sending and a
receiving department, then the city gains more of what its lists show — shares with feedback
asked, notices, cases of other residents — and every route is read again: the same URLs must
make the same number of statements.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from mailkit import key
from sqlalchemy import event

from access.crawl import Reader, plan
from access.flow_city import FlowCity, build_flow_city, pools
from hub import jp
from hub.cases import services as cases
from hub.mailbox import send
from hub.storage import Storage, bind

VIEWERS = ("nozei", "plat")
#: How many more of each kind of row the city gains between the two reads.
MORE = 3


@pytest.fixture
def city(db, config, make_department, make_user, make_resident) -> FlowCity:
    bind(db, Storage.from_config(config))
    return build_flow_city(db, make_department, make_user, make_resident, packets=False)


@contextmanager
def _counting(app) -> Iterator[list[int]]:
    issued = [0]

    def count(*_args) -> None:
        issued[0] += 1

    engine = app.extensions["tsunagu.db"].engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield issued
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _statements(app, db, city: FlowCity) -> dict[tuple[str, str], int]:
    """The statements each read made, by viewer and URL (downloads found on the way too)."""
    requests = plan(app, pools(city, db)).requests
    found: dict[tuple[str, str], int] = {}
    for viewer in VIEWERS:
        reader = Reader(app, city.users[viewer], city.tokens[viewer])
        with _counting(app) as issued:
            before = issued[0]
            for read in reader.crawl(requests):
                assert read.status < 500, f"{viewer} {read.url}: {read.status}"
                found[(viewer, read.url)] = issued[0] - before
                before = issued[0]
    return found


def _grow(db, city: FlowCity, make_resident) -> None:
    """More of everything the lists show: shares asking for feedback each way within the
    consent, notices to every department, and cases of other residents."""
    depts, users, case_id = city.departments, city.users, city.cases["A"]
    due = (jp.today() + timedelta(days=7)).isoformat()
    for n in range(MORE):
        for to in ("plat", "hokenryo"):
            share = {
                "kind": "share",
                "case_id": case_id,
                "recipient_ids": [depts[to].id],
                "subject": f"追加の共有{n}",
                "body": "滞納の経過です。",
                "body_categories": ["arrears"],
                "feedback_due": due,
                "idempotency_key": key(),
            }
            send.send(db, users["nozei"], share)
        notice = {
            "kind": "notice",
            "recipient_ids": [d.id for code, d in depts.items() if code != "nozei"],
            "subject": f"お知らせ{n}",
            "idempotency_key": key(),
        }
        send.send(db, users["nozei"], notice)
        resident = make_resident(f"佐藤 {n}郎", f"サトウ {n}ロウ", department=depts["nozei"])
        cases.open_case(db, users["nozei"], {"resident_id": resident.id, "summary": "追加"})
    db.commit()


def test_no_route_makes_more_statements_as_its_lists_grow(app, db, city, make_resident):
    # Read once first: reading changes what later reads show (a message opened by its
    # recipient names its first reader on the sender's receipts).
    _statements(app, db, city)
    small = _statements(app, db, city)
    _grow(db, city, make_resident)
    large = _statements(app, db, city)
    grew = {
        f"{viewer} {url}: {small[(viewer, url)]} → {n}"
        for (viewer, url), n in large.items()
        if (viewer, url) in small and n > small[(viewer, url)]
    }
    assert not grew, "statements grew with the rows:\n" + "\n".join(sorted(grew))
    # The crawl is not blind: pages, API lists and files were read both times.
    assert len(set(small) & set(large)) > 100
