"""Demo consent: 山田 太郎 signed 納税課's form sharing with 保険料収納課 and ぷらっとホーム世田谷.

It goes through the real services (draft → form → signed scan → active), so the demo shows
what staff would have done, audit events included. Loading twice changes nothing.
"""

from __future__ import annotations

from datetime import date

from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import jp
from hub.documents.consent import forms, services
from hub.documents.consent.models import Consent
from hub.models import Department, Resident, User

ATENA_NO = "0001000001"
STAFF_LOGIN = "nozei01"
#: (giving department code, receiving department code, categories): 納税課 shares with
#: 保険料収納課 and ぷらっとホーム世田谷; they give back what feedback and a joint plan need.
GRANTS = (
    ("nozei", "hokenryo", ("arrears", "payment_plan", "household_budget")),
    ("nozei", "plat", ("arrears", "household_budget", "private_debts", "life_situation")),
    ("plat", "nozei", ("support_status", "private_debts")),
    ("hokenryo", "nozei", ("arrears", "payment_plan")),
)
PURPOSES = ["生活再建の支援", "納付計画の作成"]


def signed_scan_pdf(consent_id: int, signed_on: date) -> bytes:
    """A one-page PDF standing in for the scan of the signed form (demo only)."""
    from pylopdf_fonts_jp import sans_path

    pdf = FPDF(format="A4")
    pdf.set_creator("tsunagu-hub demo")
    pdf.add_page()
    pdf.add_font("NotoSansJP", fname=str(sans_path()))
    pdf.set_font("NotoSansJP", size=16)
    pdf.cell(
        0,
        12,
        f"同意書番号{consent_id}（署名済み・デモ用のスキャン）",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("NotoSansJP", size=11)
    pdf.cell(0, 9, f"記入日　{jp.wareki(signed_on)}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 9, "氏名（自署）　山田 太郎", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def load(session: Session, *, today: date | None = None) -> bool:
    """Add the demo consent once; return False when it is there already or cannot be made."""
    today = today or jp.today()
    resident = session.scalar(select(Resident).where(Resident.atena_no == ATENA_NO))
    staff = session.scalar(select(User).where(User.login_id == STAFF_LOGIN))
    if resident is None or staff is None:
        return False
    if session.scalar(select(Consent.id).where(Consent.resident_id == resident.id).limit(1)):
        return False
    codes = {code for pair in GRANTS for code in pair[:2]}
    depts = {
        d.code: d.id for d in session.scalars(select(Department).where(Department.code.in_(codes)))
    }
    grants = [
        {
            "from_department_id": depts[giver],
            "to_department_id": depts[receiver],
            "categories": list(categories),
        }
        for giver, receiver, categories in GRANTS
    ]
    draft = {"grants": grants, "purposes": PURPOSES}
    consent = services.create_draft(session, staff, resident.id, draft, today=today)
    forms.generate(session, staff, resident.id, consent.id, today=today)
    # Signed the day the form was printed: after midnight (Japan time) that is a day later.
    signed_on = max(today, jp.local(consent.form_generated_at).date())
    scan = signed_scan_pdf(consent.id, signed_on)
    forms.upload_scan(session, staff, resident.id, consent.id, scan, "署名済み同意書.pdf")
    services.activate(
        session,
        staff,
        resident.id,
        consent.id,
        {"obtained_on": signed_on.isoformat()},
        today=signed_on,
    )
    return True
