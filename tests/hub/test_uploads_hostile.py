"""Hostile uploads are refused with a Japanese message and a stable code, and leave nothing.

Every sample is built in code (tests/uploads_samples.py). "Nothing" means no StoredFile row
and no file under the storage root; the refusal itself is audited as denied.
"""

from __future__ import annotations

import io
import secrets

import pytest
import uploads_samples as samples
from sqlalchemy import func, select

from hub import audit
from hub.db import finish
from hub.models import AuditEvent, StoredFile
from hub.storage import DOCX, JPEG, PDF, PNG, Storage, UploadRejected, bind, store
from hub.storage import docx as docx_checks


@pytest.fixture
def storage(db, tmp_path) -> Storage:
    files = Storage(root=tmp_path / "files", key=secrets.token_bytes(32))
    bind(db, files)
    return files


def assert_nothing_stored(db, storage: Storage) -> None:
    assert db.scalar(select(func.count()).select_from(StoredFile)) == 0
    assert [p for p in storage.root.rglob("*") if p.is_file()] == []


HOSTILE = [
    # Word
    pytest.param(samples.docm, "給与.docm", "docx_macro", "マクロ", id="docm-vba-project"),
    pytest.param(
        lambda: samples.docx_with_field(' DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc" '),
        "dde.docx",
        "docx_macro",
        "DDE",
        id="docx-ddeauto-field",
    ),
    pytest.param(
        samples.docx_external_template, "t.docx", "docx_external", "外部", id="docx-external-rel"
    ),
    pytest.param(samples.docx_alt_chunk, "c.docx", "docx_external", "外部", id="docx-altchunk"),
    pytest.param(
        lambda: samples.docx_with_field(' INCLUDEPICTURE "http://attacker.example/p.png" \\d '),
        "pic.docx",
        "docx_external",
        "外部",
        id="docx-includepicture-field",
    ),
    pytest.param(samples.docx_with_entity, "e.docx", "docx_entities", "ENTITY", id="docx-entity"),
    pytest.param(
        lambda: samples.docx_with_entity("utf-16"),
        "e16.docx",
        "docx_entities",
        "ENTITY",
        id="docx-entity-utf16",
    ),
    pytest.param(
        samples.docx_with_entity_utf7, "e7.docx", "docx_malformed", "壊れて", id="docx-entity-utf7"
    ),
    pytest.param(samples.docx_zip_bomb, "bomb.docx", "zip_bomb", "展開", id="docx-zip-bomb"),
    pytest.param(
        samples.docx_many_entries, "many.docx", "zip_bomb", "展開", id="docx-too-many-entries"
    ),
    pytest.param(
        samples.docx_with_traversal, "t.docx", "docx_malformed", "../", id="zip-path-traversal"
    ),
    pytest.param(
        samples.docx_encrypted_entries,
        "locked.docx",
        "docx_encrypted",
        "パスワード",
        id="docx-encrypted-zip",
    ),
    pytest.param(samples.docx_truncated, "half.docx", "docx_malformed", "壊れて", id="docx-cut"),
    # PDF
    pytest.param(samples.encrypted_pdf, "locked.pdf", "pdf_encrypted", "パスワード", id="pdf-aes"),
    pytest.param(samples.malformed_pdf, "bad.pdf", "pdf_malformed", "壊れて", id="pdf-malformed"),
    pytest.param(samples.truncated_pdf, "cut.pdf", "pdf_malformed", "壊れて", id="pdf-truncated"),
    pytest.param(
        samples.pdf_open_action_js, "js.pdf", "pdf_active_content", "JavaScript", id="pdf-js-open"
    ),
    pytest.param(
        samples.pdf_names_javascript,
        "js.pdf",
        "pdf_active_content",
        "JavaScript",
        id="pdf-js-names-tree",
    ),
    pytest.param(
        samples.pdf_names_javascript_escaped,
        "js.pdf",
        "pdf_active_content",
        "JavaScript",
        id="pdf-js-hex-escaped-names",
    ),
    pytest.param(samples.pdf_launch, "l.pdf", "pdf_active_content", "自動実行", id="pdf-launch"),
    pytest.param(
        samples.pdf_additional_actions, "aa.pdf", "pdf_active_content", "自動実行", id="pdf-aa"
    ),
    pytest.param(
        samples.pdf_embedded_file, "ef.pdf", "pdf_active_content", "埋め込み", id="pdf-embedded"
    ),
    pytest.param(
        samples.pdf_rich_media, "rm.pdf", "pdf_active_content", "動的", id="pdf-richmedia"
    ),
    # Disguises and broken images
    pytest.param(samples.html_page, "請求書.pdf", "unsupported_type", "形式", id="html-as-pdf"),
    pytest.param(samples.windows_exe, "写真.png", "unsupported_type", "形式", id="exe-as-png"),
    pytest.param(samples.plain_zip, "doc.docx", "unsupported_type", "形式", id="zip-as-docx"),
    pytest.param(lambda: b"", "empty.pdf", "empty_file", "空", id="empty"),
    pytest.param(samples.truncated_png, "s.png", "image_malformed", "途中", id="png-truncated"),
    pytest.param(samples.png_bad_crc, "s.png", "image_malformed", "壊れて", id="png-bad-crc"),
    pytest.param(samples.png_with_trailer, "s.png", "image_malformed", "壊れて", id="png-polyglot"),
    pytest.param(samples.png_pixel_bomb, "s.png", "image_malformed", "画素数", id="png-pixels"),
    pytest.param(samples.truncated_jpeg, "s.jpg", "image_malformed", "途中", id="jpeg-truncated"),
]


@pytest.mark.parametrize(("build", "name", "code", "words"), HOSTILE)
def test_hostile_file_is_refused_and_nothing_is_stored(
    db, storage, make_user, build, name, code, words
):
    user = make_user()
    with pytest.raises(UploadRejected) as caught:
        store(db, user, build(), name, purpose="attachment")
    assert (caught.value.code, caught.value.status) == (code, 400)
    assert words in caught.value.message
    assert caught.value.to_dict()["error"]["code"] == code
    assert_nothing_stored(db, storage)
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "file.store")).one()
    assert (event.outcome, event.reason, event.user_id) == (
        "denied",
        f"attachment: {code}",
        user.id,
    )


def test_refusal_survives_the_failed_request_as_a_denied_audit_event(db, storage, make_user):
    user = make_user()
    with pytest.raises(UploadRejected):
        store(db, user, samples.docm(), "macro.docm", purpose="signed_scan")
    finish(db, ok=False)  # what the web layer does after a 400
    assert_nothing_stored(db, storage)
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "file.store")).one()
    assert event.outcome == "denied"
    assert audit.seal_all(db) >= 1
    db.refresh(event)
    assert event.seq is not None  # committed, and the sealer chained it


def test_file_over_the_limit_is_refused_with_413(db, storage, make_user):
    limit = storage.max_bytes
    assert limit == 20 * 1024 * 1024
    data = samples.fpdf_pdf() + b"\x00" * limit
    with pytest.raises(UploadRejected) as caught:
        store(db, make_user(), data, "big.pdf", purpose="attachment")
    assert (caught.value.code, caught.value.status) == ("too_large", 413)
    assert "上限 20 MB" in caught.value.message
    assert_nothing_stored(db, storage)


class _EndlessStream(io.RawIOBase):
    """An upload that never ends; counts what was read from it."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = b"%" * len(buffer)
        self.served += len(buffer)
        return len(buffer)


def test_an_endless_stream_is_cut_just_past_the_limit(db, tmp_path, make_user):
    small = Storage(root=tmp_path / "files", key=secrets.token_bytes(32), max_bytes=50_000)
    stream = _EndlessStream()
    with pytest.raises(UploadRejected) as caught:
        store(db, make_user(), stream, "x.pdf", purpose="attachment", storage=small)
    assert caught.value.code == "too_large"
    assert "50,000 バイト" in caught.value.message
    assert stream.served == 50_001
    assert_nothing_stored(db, small)


def test_a_caller_can_narrow_the_allowed_types(db, storage, make_user):
    with pytest.raises(UploadRejected) as caught:
        store(
            db,
            make_user(),
            samples.docx(),
            "同意書.docx",
            purpose="signed_scan",
            allowed={PDF, PNG, JPEG},
        )
    assert caught.value.code == "unsupported_type"
    assert "PDF・PNG・JPEG" in caught.value.message
    assert "Word" not in caught.value.message
    assert_nothing_stored(db, storage)


def test_the_total_unpacked_size_of_a_docx_is_capped(db, storage, make_user, monkeypatch):
    # Honest compression, but more than the cap once unpacked (lowered here to keep it fast:
    # python-docx's own parts unpack to about 830 kB).
    monkeypatch.setattr(docx_checks, "MAX_UNCOMPRESSED", 1_000_000)
    docx_checks.check_docx(samples.docx())
    padded = samples.rebuild_zip(
        samples.docx(), add=[("word/media/noise.bin", secrets.token_bytes(300_000))]
    )
    with pytest.raises(UploadRejected) as caught:
        store(db, make_user(), padded, "big.docx", purpose="attachment", allowed={DOCX})
    assert caught.value.code == "zip_bomb"
    assert_nothing_stored(db, storage)
