"""Bad input to the packet form and odd cases: a clear Japanese 4xx, never a 500, nothing
written; a case without a sheet and a 1,000-row timeline still make a packet."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select

from hub.cases import services as cases
from hub.documents.printing.models import PacketJob
from hub.mailbox.models import (
    Delivery,
    LegalBasis,
    Message,
    MessageKind,
    MessageStatus,
)
from printing.texts import pdf_text


@pytest.fixture
def city(bare_city):
    """The flow city without its packets: these tests make their own."""
    return bare_city


def test_bad_input_is_refused_in_japanese_and_odd_cases_still_make_packets(db, city, staff):
    nozei, case = staff(city, "nozei"), city.cases["A"]
    jobs_before = db.scalar(select(func.count()).select_from(PacketJob))
    db.rollback()
    plat, own = city.departments["plat"], city.departments["nozei"]
    for data, field, words in (
        ({}, "recipient_id", "提供先の所管課を選んでください"),
        ({"recipient_id": "x"}, "recipient_id", "提供先の所管課を選んでください"),
        ({"recipient_id": plat.id}, "method", "提供の方法（連絡で提供・紙で提供）を選んでください"),
        ({"recipient_id": own.id, "method": "paper"}, "method", "自所管課の控えは"),
        (
            {"recipient_id": own.id, "format": "docx", "password": "longenough1"},
            "password",
            "PDFだけ",
        ),
        ({"recipient_id": own.id, "password": "short"}, "password", "8〜64文字"),
        ({"recipient_id": own.id, "password": "ながいパスワードです"}, "password", "半角英数字"),
        (
            {"recipient_id": plat.id, "method": "share", "password": "longenough1"},
            "password",
            "付けません",
        ),
        ({"recipient_id": own.id, "format": "pdfx"}, "format", "形式"),
    ):
        answer = nozei.post(f"/cases/{case}/packet", data)
        page = answer.get_data(as_text=True)
        assert answer.status_code == 400, (data, answer.status_code)
        assert words in page, (field, data)
        assert "longenough1" not in page  # a password is never sent back
    assert db.scalar(select(func.count()).select_from(PacketJob)) == jobs_before
    db.rollback()
    # A case without a sheet and a 1,000-row timeline still make packets.
    nozei_user = city.users["nozei"]
    bare = cases.open_case(db, nozei_user, {"resident_id": city.resident.id, "summary": "新規"})
    db.commit()
    missing = nozei.get(f"/cases/{bare.id}/sheet/print")
    assert missing.status_code == 404 and "ヒアリングシートはありません" in missing.get_data(
        as_text=True
    )
    answer = nozei.packet(bare.id, city.departments["nozei"])
    packet_id = int(re.search(r"/packets/(\d+)", answer.headers["Location"]).group(1))
    text = pdf_text(nozei.download(packet_id).data)
    assert "ケース記録一式" in text and "共通ヒアリングシート" not in text
    # 1,000 exchanges on case A (bulk-written as the mailbox would have): one table, the
    # heading row on every page, nothing lost.
    now = datetime.now(UTC)
    depts = city.departments
    rows = [
        dict(
            kind=MessageKind.SHARE,
            status=MessageStatus.SENT,
            basis=LegalBasis.CONSENT,
            case_id=city.cases["A"],
            resident_id=city.resident.id,
            sender_department_id=depts["nozei"].id,
            sender_user_id=nozei_user.id,
            subject=f"経過の連絡 {n:04d}",
            body="",
            categories=["arrears"],
            consent_ids=[city.consents["C1"]],
            search_text="",
            created_at=now,
            sent_at=now,
        )
        for n in range(1000)
    ]
    ids = db.scalars(insert(Message).returning(Message.id), rows).all()
    db.execute(
        insert(Delivery),
        [{"message_id": i, "department_id": depts["plat"].id, "delivered_at": now} for i in ids],
    )
    db.commit()
    answer = nozei.packet(city.cases["A"], depts["plat"], "paper")
    packet_id = int(re.search(r"/packets/(\d+)", answer.headers["Location"]).group(1))
    text = pdf_text(nozei.download(packet_id).data)
    squeezed = re.sub(r"\s+", "", text)
    assert "経過の連絡0000" in squeezed and "経過の連絡0999" in squeezed
    count = int(re.search(r"([\d,]+)件（古い順）", squeezed).group(1).replace(",", ""))
    assert count >= 1000
    timeline = [p for p in text.split("\f") if "経過の連絡" in p]
    assert len(timeline) > 20 and all("件名" in p for p in timeline)
