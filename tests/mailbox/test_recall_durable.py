"""A recall found while refusing something (a download, an acknowledgement, feedback) stands:
the request answers 409 and rolls back, but the delivery stays a tombstone and the sender is
told — once, however often the recipient tries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from mailkit import attempt, share_data
from sqlalchemy import func, select

from hub import jp
from hub.errors import Conflict
from hub.mailbox import read, send, sharing_requests
from hub.mailbox.models import Delivery, DeliveryState, Notification, NotificationKind
from hub.models import User


@pytest.mark.parametrize(
    "action",
    [
        lambda db, user, m, day: read.open_document(db, user, m.id, m.documents[0].id, today=day),
        lambda db, user, m, day: read.acknowledge(db, user, m.id, today=day),
        lambda db, user, m, day: sharing_requests.send_feedback(
            db, user, m.id, {"done": "面談済み", "support_status": "in_support"}, today=day
        ),
    ],
    ids=["download", "acknowledge", "feedback"],
)
def test_a_recall_found_by_a_refused_request_survives_its_rollback(
    db, city, consents, grant, sheet, action
):
    saved = sheet()
    last_day = jp.today() + timedelta(days=2)
    consents.active(
        [
            grant(city.nozei, city.plat, "arrears", "household_budget"),
            grant(city.plat, city.nozei, "support_status"),
        ],
        valid_until=last_day,
    )
    data = share_data(
        city.case_id, [city.plat], sheet_version=saved.version, sheet_categories=["arrears"]
    )
    message = attempt(db, send.send, city.staff, data).message
    day_after = last_day + timedelta(days=1)  # no expiry job ran: the open finds it

    with pytest.raises(Conflict) as refused:
        attempt(db, action, city.plat_staff, message, day_after)
    assert refused.value.code == "recalled"
    assert "取り消されました" in refused.value.message

    delivery = db.scalars(select(Delivery).where(Delivery.message_id == message.id)).one()
    assert delivery.state == DeliveryState.RECALLED and delivery.recalled_on == day_after
    told = select(func.count()).where(
        Notification.kind == NotificationKind.RECALLED, Notification.message_id == message.id
    )
    nozei_staff = db.scalar(select(func.count(User.id)).where(User.department_id == city.nozei.id))
    assert db.scalar(told) == nozei_staff >= 1  # once to each of 納税課's case workers

    # Trying again changes nothing: still a tombstone, no second notice.
    with pytest.raises(Conflict):
        attempt(db, action, city.plat_staff, message, day_after)
    view = attempt(db, read.open_message, city.plat_staff, message.id, today=day_after)
    assert view.is_recalled and view.documents == []
    assert db.scalar(told) == nozei_staff
