"""Case packets made from the database, read back as a person would: what a recipient's packet
holds is what the consent gives it on the day, every page says whose it is, a packet for
another department is a disclosure (a share, or paper recorded when it is downloaded), and a
consent that ends before the download refuses it with the reason."""

from __future__ import annotations

import io
import re

from access.flow_city import withdraw
from pypdf import PdfReader
from sqlalchemy import select

from hub import jp
from hub.documents.printing.models import PacketJob, PacketMethod, PacketStatus
from hub.mailbox.models import DocumentKind, MessageDocument
from printing.texts import docx_text, markers_in, pdf_text


def allowed(city, viewer: str, day) -> set[tuple[str, str]]:
    """(owner, category) of every marker the oracle lets ``viewer`` see on ``day``."""
    dept = city.departments[viewer].id
    return {
        (m.owner, m.category)
        for m in city.markers
        if city.oracle.may_see(city.departments[m.owner].id, dept, m.category, day)
    }


def outline_titles(reader: PdfReader) -> list[str]:
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def test_a_packet_holds_what_the_consent_gives_its_recipient_and_says_whose_it_is(db, city, staff):
    _nobody_else(db, city, staff)
    nozei, today = staff(city, "nozei"), jp.today()
    plat = city.departments["plat"]
    answer = nozei.packet(city.cases["A"], plat, "paper")
    assert answer.status_code == 302
    packet_id = int(re.search(r"/packets/(\d+)", answer.headers["Location"]).group(1))
    pdf = nozei.download(packet_id)
    assert pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    found = markers_in(text, city)
    may = allowed(city, "plat", today)
    assert found <= may, f"leaked to ぷらっとホーム: {found - may}"
    assert {
        ("nozei", "arrears"),
        ("nozei", "life_situation"),
        ("nozei", "household_budget"),
    } <= found
    assert "同意の範囲外のため記載していません" in text and "民間債務の状況" in text
    pages = text.split("\f")[:-1]
    reader = PdfReader(io.BytesIO(pdf.data))
    assert len(pages) == len(reader.pages) > 3
    for n, page in enumerate(pages, 1):  # every page: whose it is, n / N, the date in 和暦
        squeezed = re.sub(r"\s+", "", page)
        assert "取扱注意" in squeezed and "提供先ぷらっとホーム世田谷" in squeezed, n
        assert f"{n}/{len(pages)}" in squeezed and jp.wareki(today) in squeezed, n
    assert reader.metadata.title == "ケース記録一式"
    assert reader.metadata.author == "納税課"
    assert city.resident.name not in str(dict(reader.metadata))
    titles = outline_titles(reader)
    assert titles[:2] == ["表紙", "目次"] and "1　共通ヒアリングシート" in titles
    assert any("署名済み同意書" in t for t in titles), titles
    # The Word packet made for it in the flow city holds the same (attachments by name).
    words = docx_text(nozei.download(city.packets["plat"]).data)
    assert markers_in(words, city) <= may
    assert "署名済み同意書（同意書番号" in words and "PDF版に添付" in words
    # The own copy holds everything the department may read: its records (not the case
    # summary), its policy, file and consent; the feedback it received within the consent.
    text = pdf_text(nozei.download(city.packets["nozei"]).data)
    found = markers_in(text, city)
    own = {(m.owner, m.category) for m in city.markers if m.owner == "nozei"}
    assert {k for k in own if k[1] != "own"} <= found
    assert ("plat", "support_status") in found
    assert found <= allowed(city, "nozei", today)
    assert "提供先納税課" in re.sub(r"\s+", "", text)


def _rows(page) -> list[str]:
    """The rows of a 提供記録 page, as text."""
    html = page.get_data(as_text=True)
    body = html.split('id="rows-title"')[1].split("<tbody>")[1].split("</tbody>")[0]
    rows = [re.sub(r"<[^>]+>|\s+", " ", row).strip() for row in body.split("<tr>")[1:]]
    return [f" {r} " for r in rows if "記録はありません" not in r]


def test_a_packet_for_another_department_is_a_disclosure_until_the_consent_ends(db, city, staff):
    nozei, hokenryo, plat = staff(city, "nozei"), staff(city, "hokenryo"), staff(city, "plat")
    # Sent as a share: delivered, read by the recipient, in both sides' 提供記録.
    job = db.get(PacketJob, city.packets["hokenryo"])
    assert job.method == PacketMethod.SHARE and job.status == PacketStatus.DONE
    assert job.stored_file_id is None and job.message_id  # the file is the share's now
    document = db.scalar(select(MessageDocument).where(MessageDocument.packet_job_id == job.id))
    assert document.kind == DocumentKind.PACKET
    assert set(document.categories) == set(job.categories)
    db.rollback()
    url = f"/mailbox/messages/{job.message_id}/documents/{document.id}"
    got = hokenryo.get(url)
    assert got.status_code == 200 and got.mimetype == "application/pdf"
    found = markers_in(pdf_text(got.data), city)
    assert found <= allowed(city, "hokenryo", jp.today())
    assert ("nozei", "private_debts") in found  # the file 納税課 sent it, and its sheet
    assert nozei.get(f"/packets/{job.id}").status_code == 200
    assert nozei.download_link(job.id) is None  # the sender reads its copy in the mailbox
    for side in (nozei, hokenryo):
        rows = _rows(side.get(f"/residents/{city.resident.id}/disclosures"))
        assert any(f"連絡番号{job.message_id}" in r and "閲覧" in r for r in rows), side.user
    # Handed over on paper: recorded for both sides when it is downloaded to be printed.
    packet_id = city.packets["plat"]
    assert not any(
        " 紙 " in r for r in _rows(plat.get(f"/residents/{city.resident.id}/disclosures"))
    )
    assert nozei.download(packet_id).status_code == 200
    assert db.get(PacketJob, packet_id).handed_over_at is not None
    db.rollback()
    for side in (nozei, plat):
        rows = _rows(side.get(f"/residents/{city.resident.id}/disclosures"))
        assert any("納税課 → ぷらっとホーム世田谷" in r and " 紙 " in r for r in rows), side.user
    # The resident withdraws the consent: the share is recalled, the paper packet's download
    # refused with the reason, and its page says why instead of offering a link.
    link = nozei.download_link(packet_id)
    withdraw(db, city, "C1", jp.today())
    refused = hokenryo.get(url)
    assert refused.status_code == 409 and "取り消されました" in refused.get_data(as_text=True)
    refused = nozei.get(link)
    assert refused.status_code == 409
    body = refused.get_data(as_text=True)
    assert "同意の範囲が変わったため" in body and "撤回済み" in body
    assert nozei.download_link(packet_id) is None


def _nobody_else(db, city, staff) -> None:
    """Only the lead makes a packet; only its department sees one; links are one user's."""
    before = db.scalar(select(PacketJob.id).order_by(PacketJob.id.desc()).limit(1))
    db.rollback()
    nozei = staff(city, "nozei")
    refused = nozei.packet(city.cases["A"], city.departments["kaigo"], "paper")
    assert refused.status_code == 409  # no category at all: refused before anything is built
    text = refused.get_data(as_text=True)
    assert "作成しませんでした" in text and "納税課→介護保険課" in text
    assert db.scalar(select(PacketJob.id).order_by(PacketJob.id.desc()).limit(1)) == before
    db.rollback()
    plat = staff(city, "plat")  # on the case, not its lead
    assert plat.packet(city.cases["A"], city.departments["plat"]).status_code == 403
    assert plat.get(f"/cases/{city.cases['A']}/packet").status_code == 403
    for code in ("plat", "hokenryo", "kaigo"):
        other = staff(city, code)
        for packet_id in city.packets.values():
            assert other.get(f"/packets/{packet_id}").status_code == 404
            assert other.get(f"/packets/{packet_id}/status").status_code == 404
    own = city.packets["nozei"]
    assert nozei.get(f"/packets/{own}/download").status_code == 403  # no signed link
    stolen = nozei.download_link(own)
    colleague = staff(city, "hokenryo")
    assert colleague.get(stolen).status_code == 404
    assert (
        nozei.get(
            stolen.replace(f"/packets/{own}/", f"/packets/{city.packets['plat']}/")
        ).status_code
        == 403
    )
