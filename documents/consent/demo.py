"""Demo consents: each demo resident with a case signed its lead department's form, and the
lead then added the departments the consent covers to the case (山田 太郎: 納税課 sharing with
保険料収納課 and ぷらっとホーム世田谷).

They go through the real services (draft → form → signed scan → active, then the membership
check), so the demo shows what staff would have done, audit events included. Loading twice
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import jp
from hub.documents.consent import membership, paper_form, services
from hub.documents.consent.models import Consent
from hub.models import Case, Department, Resident, User


@dataclass(frozen=True)
class DemoConsent:
    """A resident's signed consent and the departments its lead then adds to the case."""

    atena_no: str
    #: Staff of the department that takes the consent (and leads the resident's case).
    staff_login: str
    #: (giving department code, receiving department code, categories)
    grants: tuple[tuple[str, str, tuple[str, ...]], ...]
    purposes: tuple[str, ...]
    #: Departments the lead adds to its case once the consent is in force.
    joins: tuple[str, ...]


CONSENTS = (
    # 山田 太郎: 納税課 shares with 保険料収納課 and ぷらっとホーム世田谷; they give back what
    # feedback and a joint plan need. Not 財産の状況 nor 納付計画 to ぷらっとホーム.
    DemoConsent(
        "0001000001",
        "nozei01",
        (
            ("nozei", "hokenryo", ("arrears", "payment_plan", "household_budget")),
            ("nozei", "plat", ("arrears", "household_budget", "private_debts", "life_situation")),
            ("plat", "nozei", ("support_status", "private_debts")),
            ("hokenryo", "nozei", ("arrears", "payment_plan")),
        ),
        ("生活再建の支援", "納付計画の作成"),
        ("hokenryo", "plat"),
    ),
    DemoConsent(
        "0001000002",
        "hokenryo01",
        (
            ("hokenryo", "nozei", ("arrears", "payment_plan")),
            ("nozei", "hokenryo", ("arrears",)),
        ),
        ("納付計画の作成",),
        ("nozei",),
    ),
    DemoConsent(
        "0001000003",
        "kaigo01",
        (
            ("kaigo", "hokenfukushi", ("household_budget", "life_situation")),
            ("hokenfukushi", "kaigo", ("support_status",)),
        ),
        ("生活再建の支援",),
        ("hokenfukushi",),
    ),
    DemoConsent(
        "0001000004",
        "nozei01",
        (
            ("nozei", "kokuho", ("arrears", "payment_plan")),
            ("nozei", "kaigo", ("arrears",)),
            ("nozei", "plat", ("arrears", "private_debts", "life_situation")),
            ("plat", "nozei", ("support_status",)),
        ),
        ("生活再建の支援", "納付計画の作成"),
        ("kokuho", "kaigo", "plat"),
    ),
    DemoConsent(
        "0001000005",
        "plat01",
        (("plat", "nozei", ("support_status",)), ("nozei", "plat", ("arrears",))),
        ("生活再建の支援",),
        ("nozei",),
    ),
)


def signed_scan_pdf(consent_id: int, signed_on: date, name: str) -> bytes:
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
    pdf.cell(0, 9, f"氏名（自署）　{name}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def load(session: Session, *, today: date | None = None) -> bool:
    """Take the demo consents once and add the departments they cover to the cases; return
    False when there are consents already or the demo residents are missing."""
    today = today or jp.today()
    if session.scalar(select(Consent.id).limit(1)) is not None:
        return False
    depts = {d.code: d for d in session.scalars(select(Department))}
    done = False
    for demo in CONSENTS:
        resident = session.scalar(select(Resident).where(Resident.atena_no == demo.atena_no))
        staff = session.scalar(select(User).where(User.login_id == demo.staff_login))
        if resident is None or staff is None:
            continue
        signed_on = _take(session, staff, resident, demo, depts, today)
        case = session.scalar(
            select(Case)
            .where(
                Case.resident_id == resident.id,
                Case.lead_department_id == staff.department_id,
            )
            .order_by(Case.id)
        )
        if case is not None:
            ids = [depts[code].id for code in demo.joins]
            membership.join(session, staff, case.id, ids, today=signed_on)
        done = True
    return done


def _take(
    session: Session,
    staff: User,
    resident: Resident,
    demo: DemoConsent,
    depts: dict[str, Department],
    today: date,
) -> date:
    """Take one consent through the services (draft → form → signed scan → active)."""
    grants = [
        {
            "from_department_id": depts[giver].id,
            "to_department_id": depts[receiver].id,
            "categories": list(categories),
        }
        for giver, receiver, categories in demo.grants
    ]
    draft = {"grants": grants, "purposes": list(demo.purposes)}
    consent = services.create_draft(session, staff, resident.id, draft, today=today)
    paper_form.generate(session, staff, resident.id, consent.id, today=today)
    # Signed the day the form was printed: after midnight (Japan time) that is a day later.
    printed = consent.form_generated_at
    signed_on = max(today, jp.local(printed).date()) if printed else today
    scan = signed_scan_pdf(consent.id, signed_on, resident.name)
    paper_form.upload_scan(session, staff, resident.id, consent.id, scan, "署名済み同意書.pdf")
    services.activate(
        session,
        staff,
        resident.id,
        consent.id,
        {"obtained_on": signed_on.isoformat()},
        today=signed_on,
    )
    return signed_on
