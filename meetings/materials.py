"""A study session's materials (資料): files through the storage gatekeeper, for the members.

A study session is no place for resident data. Before a material is kept, its text (PDF,
Word) is looked through for the names of the city's residents, in 漢字 and in カナ, folded as
the search folds them; a match stops the upload with a warning (how many matches, never whose
name) until the uploader confirms the file is fine. The refusal is audited without the names.
"""

from __future__ import annotations

import io
import zipfile

from docx import Document
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub import audit, jp, storage
from hub.errors import Conflict, InvalidInput, NotFound
from hub.meetings import study
from hub.meetings.models import Material, Meeting, MeetingStatus
from hub.models import Resident, User
from hub.storage import DOCX, JPEG, PDF, PNG
from hub.storage.sniff import inspect

PURPOSE = "study_material"
ALLOWED = {PDF, DOCX, PNG, JPEG}
#: Shorter names match too much ordinary text (「山田」 in 「山田町」).
MIN_NAME, MIN_KANA = 3, 4
NAMES_FOUND = (
    "資料の中に住民の氏名と一致する文字列が{n}件見つかりました。勉強会の資料に住民の個人情報は"
    "載せないでください。内容を確認し、問題がない場合は確認欄にチェックして登録してください。"
)


class ResidentNameFound(Conflict):
    code = "resident_name_found"

    def __init__(self, count: int) -> None:
        super().__init__(NAMES_FOUND.format(n=count), code=self.code)
        self.count = count


def text_of(data: bytes, content_type: str) -> str:
    """The text of a PDF or Word file ('' for images, or a file whose text cannot be read)."""
    try:
        if content_type == PDF:
            reader = PdfReader(io.BytesIO(data), strict=False)
            return "\n".join(page.extract_text() or "" for page in reader.pages)
        if content_type == DOCX:
            document = Document(io.BytesIO(data))
            cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
            return "\n".join([p.text for p in document.paragraphs] + cells)
    except (PyPdfError, zipfile.BadZipFile, KeyError, ValueError):
        return ""
    return ""


def resident_names_in(session: Session, text: str) -> int:
    """How many distinct residents' names (漢字 or カナ, spaces and width folded) the text holds."""
    folded = jp.fold(text)
    if not folded:
        return 0
    keys = session.execute(
        select(Resident.name_key, Resident.kana_key).where(
            func.length(Resident.name_key) >= MIN_NAME
        )
    )
    return sum(
        1
        for name, kana in keys
        if name in folded or (kana and len(kana) >= MIN_KANA and kana in folded)
    )


def add(
    session: Session,
    user: User,
    meeting_id: int,
    data: bytes,
    filename: str,
    title: str,
    *,
    confirmed: bool = False,
) -> Material:
    """Keep a material for a session of the user's department (any member department)."""
    meeting = study.require_study(session, user, meeting_id, "study.material_add")
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict("中止された勉強会には資料を登録できません。", code="meeting_cancelled")
    title = title.strip() or filename.strip()
    if not data:
        raise InvalidInput(fields={"file": "ファイルを選んでください。"})
    if len(title) > 200:
        raise InvalidInput(fields={"title": "資料名は200文字以内で入力してください。"})
    content_type = inspect(data, ALLOWED)
    found = resident_names_in(session, text_of(data, content_type))
    if found and not confirmed:
        raise audit.refuse(
            session,
            user,
            "study.material_add",
            ResidentNameFound(found),
            meeting,
            reason=f"{found} resident name(s) in the text",
        )
    stored = storage.store(session, user, data, filename, purpose=PURPOSE, allowed=ALLOWED)
    material = Material(
        meeting_id=meeting.id,
        file_id=stored.id,
        file=stored,
        title=title,
        department_id=user.department_id,
        uploaded_by_id=user.id,
        name_warning_confirmed=bool(found),
    )
    meeting.materials.append(material)
    session.flush()
    reason = f"material {material.id}" + (", names confirmed by the uploader" if found else "")
    audit.record(session, user, "study.material_add", meeting, reason=reason)
    return material


def open_material(
    session: Session, user: User, meeting_id: int, material_id: int
) -> tuple[Material, bytes]:
    """A material's bytes, for a member department of its session."""
    meeting = study.require_study(session, user, meeting_id, "study.material_read")
    material = _find(meeting, material_id)
    data = storage.read(session, material.file)
    audit.record(session, user, "study.material_read", meeting, reason=f"material {material.id}")
    return material, data


def _find(meeting: Meeting, material_id: int) -> Material:
    material = next((m for m in meeting.materials if m.id == material_id), None)
    if material is None:
        raise NotFound()
    return material
