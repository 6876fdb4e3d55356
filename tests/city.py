"""A small city shared by consent, mailbox, API and web tests.

Two collection departments (納税課, 保険料収納課), a support department (ぷらっとホーム世田谷),
an outsider collection department (介護保険課), users, a resident in a case, and a helper that
takes consents through the services (draft → form → scan → active → withdrawn).

Import from here (``from city import City, Consents, grant, days, build_city, bind_storage``);
the fixtures themselves (``city``, ``storage``, ``consents``, ``grant``, ``days``) are thin
wrappers defined in the conftest of each test folder that needs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import uploads_samples as samples
from sqlalchemy.orm import Session

from hub import jp
from hub.config import Config
from hub.documents.consent import paper_form, services
from hub.documents.consent.models import Consent
from hub.models import Department, DepartmentKind, Resident, Role, User
from hub.storage import Storage, bind

__all__ = ["City", "Consents", "bind_storage", "build_city", "days", "grant"]


@dataclass
class City:
    nozei: Department
    hokenryo: Department
    plat: Department
    kaigo: Department
    staff: User  # 納税課
    hokenryo_staff: User
    plat_staff: User
    outsider: User  # 介護保険課: not involved
    admin: User
    resident: Resident
    case_id: int


def bind_storage(db: Session, config: Config) -> Storage:
    """The storage the app of this test uses too (same folder, same key), bound to ``db``."""
    files = Storage.from_config(config)
    bind(db, files)
    return files


def build_city(db: Session, make_department, make_user, make_resident, make_case) -> City:
    """Create the city with the conftest factories and commit it."""
    nozei = make_department("納税課", code="nozei")
    hokenryo = make_department("保険料収納課", code="hokenryo")
    plat = make_department("ぷらっとホーム世田谷", kind=DepartmentKind.SUPPORT, code="plat")
    kaigo = make_department("介護保険課", code="kaigo")
    nozei.contact_phone = "03-5432-1111"
    home = make_department("財政課", kind=DepartmentKind.OTHER, code="zaisei")
    resident = make_resident(
        "山田 太郎",
        "ヤマダ タロウ",
        department=nozei,
        atena_no="0001000001",
        address="世田谷区太子堂一丁目1番1号",
        birth_date=date(1978, 6, 12),
    )
    case = make_case(resident=resident, lead=nozei, departments=[hokenryo, plat])
    city = City(
        nozei=nozei,
        hokenryo=hokenryo,
        plat=plat,
        kaigo=kaigo,
        staff=make_user(department=nozei, login_id="nozei01"),
        hokenryo_staff=make_user(department=hokenryo, login_id="hokenryo01"),
        plat_staff=make_user(department=plat, login_id="plat01"),
        outsider=make_user(department=kaigo, login_id="kaigo01"),
        admin=make_user(Role.ADMIN, department=home, login_id="admin"),
        resident=resident,
        case_id=case.id,
    )
    db.commit()
    return city


def grant(sender: Department, recipient: Department, *categories: str) -> dict[str, Any]:
    """One item of a consent's scope: ``sender`` may share ``categories`` with ``recipient``."""
    return {
        "from_department_id": sender.id,
        "to_department_id": recipient.id,
        "categories": list(categories),
    }


def days(n: int) -> date:
    """The date n days from today (negative: in the past)."""
    return jp.today() + timedelta(days=n)


class Consents:
    """Take consents through the services, stopping at the step a test needs.

    Needs bound storage (``bind_storage``/the ``storage`` fixture) from ``generated`` on.
    """

    def __init__(self, db: Session, city: City) -> None:
        self.db, self.city = db, city

    def draft(
        self,
        grants: list[dict[str, Any]] | None = None,
        *,
        by: User | None = None,
        purposes: tuple[str, ...] = ("生活再建の支援",),
        valid_until: date | None = None,
    ) -> Consent:
        city = self.city
        data = {
            "grants": grants or [grant(city.nozei, city.plat, "arrears", "private_debts")],
            "purposes": list(purposes),
        }
        if valid_until:
            data["valid_until"] = valid_until.isoformat()
        consent = services.create_draft(self.db, by or city.staff, city.resident.id, data)
        self.db.commit()
        return consent

    def generated(self, grants=None, **kwargs) -> Consent:
        consent = self.draft(grants, **kwargs)
        paper_form.generate(
            self.db, kwargs.get("by") or self.city.staff, consent.resident_id, consent.id
        )
        self.db.commit()
        return consent

    def scanned(self, grants=None, **kwargs) -> Consent:
        consent = self.generated(grants, **kwargs)
        user = kwargs.get("by") or self.city.staff
        paper_form.upload_scan(
            self.db, user, consent.resident_id, consent.id, samples.fpdf_pdf("signed"), "scan.pdf"
        )
        self.db.commit()
        return consent

    def active(self, grants=None, *, obtained_on: date | None = None, **kwargs) -> Consent:
        consent = self.scanned(grants, **kwargs)
        user = kwargs.get("by") or self.city.staff
        day = (obtained_on or jp.today()).isoformat()
        services.activate(self.db, user, consent.resident_id, consent.id, {"obtained_on": day})
        self.db.commit()
        return consent

    def withdrawn(self, grants=None, *, on: date | None = None, **kwargs) -> Consent:
        consent = self.active(grants, **kwargs)
        self.withdraw(consent, on=on)
        return consent

    def withdraw(self, consent: Consent, *, on: date | None = None, by: User | None = None):
        """Withdraw an existing active consent (as the resident's 納税課 staff by default)."""
        data = {
            "withdrawn_on": (on or jp.today()).isoformat(),
            "method": "oral",
            "reason": "本人の申出",
        }
        services.withdraw(self.db, by or self.city.staff, consent.resident_id, consent.id, data)
        self.db.commit()
        return consent
