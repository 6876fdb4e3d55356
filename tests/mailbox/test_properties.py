"""Property: over random sequences of consents, withdrawals, expiries (days passing), sends and
reads among four departments, no recipient ever reads content that a consent in force on the
read day does not cover, and no send is ever delivered to only some of its recipients.

The expectation comes from a naive oracle over plain Python records (tests/oracle.py, not the
gate's code).
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from mailkit import attempt, key
from oracle import Oracle, Record
from sqlalchemy import func, select

from hub import jp
from hub.documents.consent import services as consent_services
from hub.documents.consent.models import Consent, ConsentGrant, ConsentStatus
from hub.mailbox import checks, read, send
from hub.mailbox.models import Delivery, DeliveryState, Message, MessageStatus
from hub.models import CaseDepartment

CATEGORIES = ("arrears", "life_situation", "support_status")
N = 4  # departments: 納税課, 保険料収納課, ぷらっとホーム世田谷, 介護保険課

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


PAIRS = [(s, r) for s in range(N) for r in range(N) if s != r]
grant_items = st.lists(
    st.tuples(st.sampled_from(PAIRS), st.sets(st.sampled_from(CATEGORIES), min_size=1)).map(
        lambda t: [(*t[0], c) for c in sorted(t[1])]
    ),
    min_size=1,
    max_size=5,
).map(lambda lists: [item for items in lists for item in items])
steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("consent"),
            grant_items,
            st.integers(0, 4),
            st.sampled_from([True, True, True, False]),
        ),
        st.tuples(st.just("withdraw"), st.integers(0, 9)),
        st.tuples(st.just("tick"), st.integers(1, 3)),
        st.tuples(
            st.just("send"),
            st.integers(0, N - 1),
            st.sets(st.integers(0, N - 1), min_size=1, max_size=2),
            st.sets(st.sampled_from(CATEGORIES), min_size=1, max_size=2),
        ),
        st.tuples(
            st.just("send"),
            st.integers(0, N - 1),
            st.sets(st.integers(0, N - 1), min_size=1, max_size=1),
            st.sets(st.sampled_from(CATEGORIES), min_size=1, max_size=1),
        ),
        # A send that some consent granted (in force or not): most of these go out.
        st.tuples(st.just("send granted"), st.integers(0, 99), st.integers(0, 99)),
        st.tuples(st.just("send granted"), st.integers(0, 99), st.integers(0, 99)),
        st.tuples(st.just("read"), st.integers(0, 99), st.integers(0, 9)),
        st.tuples(st.just("read"), st.integers(0, 99), st.integers(0, 9)),
    ),
    min_size=4,
    max_size=20,
)


@PROPERTY
@given(first=grant_items, plan=steps)
def test_no_content_without_consent_and_no_partial_delivery(
    db, city, make_resident, make_case, first, plan
):
    departments = [city.nozei, city.hokenryo, city.plat, city.kaigo]
    users = [city.staff, city.hokenryo_staff, city.plat_staff, city.outsider]
    resident = make_resident("山田 花子", "ヤマダ ハナコ", department=city.nozei)
    case = make_case(resident=resident, lead=city.nozei, departments=departments[1:])
    oracle = Oracle()
    today = jp.today()
    sent: list[tuple[Message, int]] = []  # (message, sender index)

    for step in [("consent", first, 3, True), *plan]:
        kind = step[0]
        if kind == "consent":
            _, items, valid_days, active = step
            record = Record(
                active=active,
                obtained_on=today if active else None,
                valid_until=today + timedelta(days=valid_days),
                grants=set(items),
            )
            consent = Consent(
                resident_id=resident.id,
                obtaining_department_id=city.nozei.id,
                obtained_by_id=city.staff.id,
                status=ConsentStatus.ACTIVE if active else ConsentStatus.DRAFT,
                obtained_on=record.obtained_on,
                valid_until=record.valid_until,
                purposes=["生活再建の支援"],
            )
            consent.grants = [
                ConsentGrant(
                    from_department_id=departments[s].id,
                    to_department_id=departments[r].id,
                    category=c,
                )
                for s, r, c in sorted(set(items))
            ]
            db.add(consent)
            db.commit()
            record.id = consent.id
            oracle.records.append(record)
        elif kind == "withdraw":
            live = [r for r in oracle.records if r.in_force(today)]
            if not live:
                continue
            record = live[step[1] % len(live)]
            attempt(
                db,
                consent_services.withdraw,
                city.staff,
                resident.id,
                record.id,
                {"withdrawn_on": today.isoformat(), "method": "oral", "reason": "本人の申出"},
                today=today,
            )
            record.withdrawn_on = today
            assert_recalled_eagerly(db, oracle, sent, departments, today)
        elif kind == "tick":
            today += timedelta(days=step[1])
            consent_services.expire_due(db, today)
            db.commit()
            assert_recalled_eagerly(db, oracle, sent, departments, today)
        if kind == "send granted":
            granted = sorted({g for r in oracle.records for g in r.grants})
            s, r, c = granted[step[1] % len(granted)]
            also = [g for g in granted if g[0] == s and g[1] == r]
            kind, step = "send", ("send", s, {r}, {c, also[step[2] % len(also)][2]})
        if kind == "send":
            _, s, recipients, categories = step
            recipients = sorted(recipients - {s})
            if not recipients:
                continue
            expected = all(oracle.covers(s, r, categories, today) for r in recipients)
            before = db.scalar(select(func.count()).select_from(Message))
            data = {
                "kind": "share",
                "case_id": case.id,
                "recipient_ids": [departments[r].id for r in recipients],
                "subject": "共有",
                "body": "本文",
                "body_categories": sorted(categories),
                "idempotency_key": key(),
            }
            try:
                message = attempt(db, send.send, users[s], data, today=today).message
            except checks.SendRefused as refused:
                event("send refused")
                assert not expected, refused.missing
                assert db.scalar(select(func.count()).select_from(Message)) == before
                missing = {(m["department_id"], m["category"]) for m in refused.missing}
                assert missing == {
                    (departments[r].id, c)
                    for r in recipients
                    for c in categories
                    if not oracle.covers(s, r, [c], today)
                }
            else:
                event("send delivered")
                assert expected
                assert message.status == MessageStatus.SENT
                sent.append((message, s))
        elif kind == "read":
            deliveries = [(m, s, d) for m, s in sent for d in m.deliveries]
            if not deliveries:
                continue
            message, s, delivery = deliveries[step[1] % len(deliveries)]
            r = next(i for i, d in enumerate(departments) if d.id == delivery.department_id)
            was_recalled = db.get(Delivery, delivery.id).state == DeliveryState.RECALLED
            view = attempt(db, read.open_message, users[r], message.id, today=today)
            covered = oracle.covers(s, r, message.categories, today)
            event("read: tombstone" if view.tombstone else "read: content")
            if view.tombstone is None:
                assert covered, f"content shown on {today} without consent"
                assert view.documents == list(message.documents)
            else:
                assert view.documents == []
                assert not covered or was_recalled
            if not covered:
                assert view.is_recalled  # a lapsed consent leaves a tombstone once read

        # No partial delivery, ever: every sent message reached all of its recipients.
        for message, _s in sent:
            got = db.scalars(
                select(Delivery.department_id).where(Delivery.message_id == message.id)
            ).all()
            assert sorted(got) == [r.department_id for r in message.recipients]
    # Recipients of what was sent are involved in the case; nothing else was added.
    involved = set(
        db.scalars(select(CaseDepartment.department_id).where(CaseDepartment.case_id == case.id))
    )
    assert involved == {d.id for d in departments}


def assert_recalled_eagerly(db, oracle, sent, departments, today):
    """After a withdrawal or an expiry, no delivery the consents no longer cover stays live."""
    db.expire_all()
    index = {d.id: i for i, d in enumerate(departments)}
    for message, s in sent:
        for delivery in db.scalars(select(Delivery).where(Delivery.message_id == message.id)):
            if delivery.state == DeliveryState.DELIVERED:
                r = index[delivery.department_id]
                assert oracle.covers(s, r, message.categories, today), (
                    f"delivery {delivery.id} still live on {today} without consent"
                )
