"""The storage gatekeeper: valid files round-trip encrypted, tampering is caught, names are safe."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import secrets
import stat
from datetime import timedelta
from pathlib import Path

import pytest
import uploads_samples as samples
from sqlalchemy import func, select

from hub.config import ConfigError, load_config
from hub.models import AuditEvent, StoredFile
from hub.storage import (
    DOCX,
    JPEG,
    PDF,
    PNG,
    Storage,
    StoredFileUnreadable,
    bind,
    content_disposition,
    read,
    sanitize_filename,
    storage_for,
    store,
    unreferenced_files,
)


@pytest.fixture
def storage(db, tmp_path) -> Storage:
    files = Storage(root=tmp_path / "files", key=secrets.token_bytes(32))
    bind(db, files)
    return files


def _files(storage: Storage) -> list[Path]:
    return [p for p in storage.root.rglob("*") if p.is_file()]


VALID = [
    pytest.param(
        samples.fpdf_pdf, "同意書（署名済）.pdf", PDF, "同意書（署名済）.pdf", id="pdf-fpdf2"
    ),
    pytest.param(samples.pypdf_pdf, "blank.pdf", PDF, "blank.pdf", id="pdf-pypdf"),
    pytest.param(samples.pdf_open_at_page, "表紙.pdf", PDF, "表紙.pdf", id="pdf-open-at-page"),
    pytest.param(samples.png, "スキャン.png", PNG, "スキャン.png", id="png"),
    pytest.param(samples.jpeg, "写真.jpeg", JPEG, "写真.jpeg", id="jpeg"),
    pytest.param(samples.docx, "ヒアリングシート.docx", DOCX, "ヒアリングシート.docx", id="docx"),
    # The stored name follows the content: a PNG called .jpg, a PDF without extension.
    pytest.param(samples.png, "scan.jpg", PNG, "scan.png", id="png-named-jpg"),
    pytest.param(samples.fpdf_pdf, "../../同意書", PDF, "同意書.pdf", id="pdf-without-extension"),
]


@pytest.mark.parametrize(("build", "name", "content_type", "stored_name"), VALID)
def test_valid_file_round_trips_byte_identical_and_encrypted(
    db, storage, make_user, build, name, content_type, stored_name
):
    user = make_user()
    data = build()
    stored = store(db, user, io.BytesIO(data), name, purpose="attachment")
    db.commit()
    assert stored.content_type == content_type
    assert stored.original_name == stored_name
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert (stored.created_by_id, stored.department_id) == (user.id, user.department_id)
    db.expire_all()
    again = db.get(StoredFile, stored.id)
    assert read(db, again) == data
    [path] = _files(storage)
    assert path == storage.path_for(again.storage_key)
    assert name.split("/")[-1].split(".")[0] not in str(path)
    on_disk = path.read_bytes()
    middle = len(data) // 2
    assert data[:32] not in on_disk
    assert data[middle : middle + 32] not in on_disk
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "file.store")).one()
    assert (event.outcome, event.object_id) == ("allowed", str(stored.id))


def test_word_file_with_an_ordinary_hyperlink_is_accepted(db, storage):
    data = samples.docx_with_hyperlink()
    stored = store(db, None, data, "案内.docx", purpose="attachment")
    db.commit()
    assert read(None, stored, storage=storage) == data


def test_generated_file_without_actor(db, storage):
    stored = store(db, None, samples.docx(), "同意書.docx", purpose="consent_form")
    db.commit()
    assert (stored.created_by_id, stored.department_id) == (None, None)
    assert read(None, stored, storage=storage) == samples.docx()


def test_same_content_gets_a_new_random_name_each_time(db, storage):
    first = store(db, None, samples.png(), "a.png", purpose="attachment")
    second = store(db, None, samples.png(), "a.png", purpose="attachment")
    assert first.storage_key != second.storage_key
    assert first.sha256 == second.sha256
    assert (
        storage.path_for(first.storage_key).read_bytes()
        != storage.path_for(second.storage_key).read_bytes()
    )


def test_unknown_purpose_or_allowed_type_is_a_programming_error(db, storage):
    with pytest.raises(ValueError, match="purpose"):
        store(db, None, samples.png(), "a.png", purpose="../x")
    with pytest.raises(ValueError, match="allowed"):
        store(db, None, samples.png(), "a.png", purpose="attachment", allowed={"text/html"})


# ---------------------------------------------------------------- tampering


def _stored(db, storage) -> StoredFile:
    stored = store(db, None, samples.fpdf_pdf(), "a.pdf", purpose="attachment")
    db.commit()
    return stored


def _failed_read_reasons(db) -> list[str]:
    rows = db.scalars(select(AuditEvent).where(AuditEvent.action == "file.read")).all()
    assert all(row.outcome == "failed" for row in rows)
    return [row.reason for row in rows]


@pytest.mark.parametrize("offset", [-1, -20, 40, 5])
def test_a_flipped_byte_on_disk_is_detected(db, storage, offset):
    stored = _stored(db, storage)
    path = storage.path_for(stored.storage_key)
    blob = bytearray(path.read_bytes())
    blob[offset] ^= 0x01  # tag, ciphertext, ciphertext, key id in the header
    path.write_bytes(bytes(blob))
    with pytest.raises(StoredFileUnreadable) as caught:
        read(db, stored)
    assert caught.value.status == 500
    assert "改ざん" in caught.value.message
    assert len(_failed_read_reasons(db)) == 1


def test_a_file_moved_to_another_name_does_not_open(db, storage):
    first, second = _stored(db, storage), _stored(db, storage)
    swapped = storage.path_for(first.storage_key).read_bytes()
    storage.path_for(second.storage_key).write_bytes(swapped)
    with pytest.raises(StoredFileUnreadable):
        read(db, second)
    assert _failed_read_reasons(db) == ["authentication failed (altered or moved file)"]


def test_a_row_pointed_at_another_file_fails_the_hash_check(db, storage):
    first = _stored(db, storage)
    other = store(db, None, samples.png(), "b.png", purpose="attachment")
    other.sha256 = first.sha256  # the row claims other content
    with pytest.raises(StoredFileUnreadable):
        read(db, other)
    assert _failed_read_reasons(db) == ["content does not match the recorded SHA-256"]


def test_missing_file_and_foreign_key_are_reported(db, storage, tmp_path):
    stored = _stored(db, storage)
    stranger = Storage(root=storage.root, key=secrets.token_bytes(32))
    with pytest.raises(StoredFileUnreadable):
        read(db, stored, storage=stranger)
    storage.path_for(stored.storage_key).unlink()
    with pytest.raises(StoredFileUnreadable):
        read(db, stored)
    assert _failed_read_reasons(db) == [
        "encrypted with a key the hub does not have",
        "FileNotFoundError",
    ]


def test_old_keys_still_read_after_a_rotation(db, storage):
    stored = _stored(db, storage)
    rotated = Storage(root=storage.root, key=secrets.token_bytes(32), old_keys=(storage.key,))
    assert read(db, stored, storage=rotated) == samples.fpdf_pdf()


@pytest.mark.parametrize("key", ["../../etc/passwd", "/etc/passwd", "", "AB" * 16])
def test_storage_keys_that_we_did_not_make_are_refused(db, storage, key):
    stored = _stored(db, storage)
    stored.storage_key = key
    with pytest.raises(StoredFileUnreadable):
        read(db, stored)


def test_a_symlink_planted_under_the_root_is_not_followed_out(db, storage, tmp_path):
    stored = _stored(db, storage)
    outside = tmp_path / "outside"
    outside.mkdir()
    shard = storage.path_for(stored.storage_key).parent
    (outside / stored.storage_key).write_bytes(b"x")
    for path in shard.iterdir():
        path.unlink()
    shard.rmdir()
    shard.symlink_to(outside, target_is_directory=True)
    with pytest.raises(ValueError, match="outside the storage root"):
        storage.path_for(stored.storage_key)


# ---------------------------------------------------------------- transactions


def test_a_rolled_back_upload_leaves_no_file(db, storage):
    store(db, None, samples.png(), "a.png", purpose="attachment")
    assert len(_files(storage)) == 1
    db.rollback()
    assert _files(storage) == []
    assert db.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_a_committed_upload_keeps_its_file_after_later_rollbacks(db, storage):
    stored = store(db, None, samples.png(), "a.png", purpose="attachment")
    db.commit()
    db.rollback()
    assert _files(storage) == [storage.path_for(stored.storage_key)]


def test_unreferenced_files_are_listed_for_the_retention_job(db, storage):
    kept = store(db, None, samples.png(), "a.png", purpose="attachment")
    db.commit()
    orphan = storage.root / "ab" / ("ab" + "0" * 30)  # as a crash between write and commit
    # The kept file's random name starts with "ab" once in 256 runs: its folder is then there.
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(b"ciphertext")
    old = orphan.stat().st_mtime - 2 * 86400
    os.utime(orphan, (old, old))
    assert unreferenced_files(db) == [orphan]
    assert unreferenced_files(db, older_than=timedelta(days=3)) == []
    assert storage.path_for(kept.storage_key).exists()


# ---------------------------------------------------------------- names and headers


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\cmd.exe", "cmd.exe"),
        ("invoice\u202eexe.pdf", "invoiceexe.pdf"),
        ("請求書\u2066\u2069\u200b.pdf", "請求書.pdf"),
        ("evil\r\nSet-Cookie: x=1.pdf", "evilSet-Cookie_ x=1.pdf"),
        ("tab\there\x00.docx", "tabhere.docx"),
        (".htaccess", "htaccess"),
        ("...", "file"),
        ("", "file"),
        ("   ", "file"),
        (".pdf", "pdf"),
        ("CON.pdf", "_CON.pdf"),
        ('a<b>c:"d"|e?f*.pdf', "a_b_c__d__e_f_.pdf"),
        ("ｶﾞ.pdf", "ｶﾞ.pdf"),  # NFC keeps half-width kana (NFKC would not)
        ("か\u3099.pdf", "が.pdf"),  # combining dakuten composed
        ("同意書 （署名済） .pdf.", "同意書 （署名済）.pdf"),
    ],
)
def test_sanitize_filename(given, expected):
    assert sanitize_filename(given) == expected


def test_long_japanese_names_are_cut_keeping_the_extension():
    name = "生活困窮者等に対する必要な支援への連携" * 20 + ".docx"
    clean = sanitize_filename(name)
    assert len(name) > 300
    assert len(clean) == 100
    assert clean.endswith(".docx")
    assert clean.startswith("生活困窮者等")


def test_content_disposition_gives_ascii_fallback_and_utf8_name():
    header = content_disposition("同意書（署名済）.pdf")
    assert header == (
        'attachment; filename="file.pdf"; '
        "filename*=UTF-8''%E5%90%8C%E6%84%8F%E6%9B%B8%EF%BC%88%E7%BD%B2%E5%90%8D%E6%B8%88"
        "%EF%BC%89.pdf"
    )
    assert header.isascii()


@pytest.mark.parametrize(
    ("name", "inline", "expected_start"),
    [
        ("report 2025.pdf", False, 'attachment; filename="report 2025.pdf"; '),
        ("Ｒｅｐｏｒｔ報告.pdf", True, 'inline; filename="Report.pdf"; '),
        ('x"; filename="evil.exe', False, 'attachment; filename="x__ filename__evil.exe"; '),
        ("a\r\nSet-Cookie: s=1", False, 'attachment; filename="aSet-Cookie_ s_1"; '),
    ],
)
def test_content_disposition_cannot_be_broken_out_of(name, inline, expected_start):
    header = content_disposition(name, inline=inline)
    assert header.startswith(expected_start)
    assert "\r" not in header and "\n" not in header
    assert header.count('"') == 2


# ---------------------------------------------------------------- configuration


def _env(tmp_path, **values) -> dict[str, str]:
    env = {"TSUNAGU_INSTANCE_PATH": str(tmp_path), "TSUNAGU_SECRET_KEY": "s" * 64}
    env.update({f"TSUNAGU_{k.upper()}": v for k, v in values.items()})
    return env


def test_production_without_storage_key_refuses_to_start(tmp_path):
    with pytest.raises(ConfigError, match="TSUNAGU_STORAGE_KEY is not set"):
        load_config(environ=_env(tmp_path, env="production"))
    assert not (tmp_path / "storage_key").exists()


@pytest.mark.parametrize("bad", ["short", "zz" * 32, base64.b64encode(b"x" * 16).decode()])
def test_a_storage_key_that_is_not_32_bytes_is_refused(tmp_path, bad):
    with pytest.raises(ConfigError, match="32 bytes"):
        load_config(environ=_env(tmp_path, env="production", storage_key=bad))
    with pytest.raises(ConfigError, match="32 bytes"):
        load_config(environ=_env(tmp_path, storage_old_keys=f"{'a' * 64},{bad}"))


def test_hex_and_base64_keys_and_old_keys_are_read(tmp_path):
    key, old = secrets.token_bytes(32), secrets.token_bytes(32)
    cfg = load_config(
        environ=_env(
            tmp_path,
            env="production",
            storage_key=key.hex(),
            storage_old_keys=" " + base64.urlsafe_b64encode(old).decode(),
            storage_path=str(tmp_path / "shared"),
            upload_max_bytes="1000",
        )
    )
    files = Storage.from_config(cfg)
    assert (files.key, files.old_keys) == (key, (old,))
    assert (files.root, files.max_bytes) == (tmp_path / "shared", 1000)


def test_development_generates_a_private_storage_key_once(tmp_path):
    first = load_config(environ={"TSUNAGU_INSTANCE_PATH": str(tmp_path)})
    second = load_config(environ={"TSUNAGU_INSTANCE_PATH": str(tmp_path)})
    assert first.storage_key == second.storage_key
    assert len(bytes.fromhex(first.storage_key)) == 32
    assert stat.S_IMODE(os.stat(tmp_path / "storage_key").st_mode) == 0o600
    assert Storage.from_config(first).root == tmp_path / "files"


def test_the_app_builds_its_storage_from_its_configuration(app, db, config):
    with app.app_context():
        files = storage_for(db)
        assert files is storage_for(None)
        assert files.root == Path(config.instance_path) / "files"
        stored = store(db, None, samples.png(), "a.png", purpose="attachment")
        db.commit()
        assert read(None, stored) == samples.png()
    with pytest.raises(RuntimeError, match="bind"):
        storage_for(None)


def test_keys_stay_out_of_reprs(tmp_path):
    key = secrets.token_bytes(32)
    cfg = load_config(environ=_env(tmp_path, storage_key=key.hex(), storage_old_keys=key.hex()))
    files = Storage.from_config(cfg)
    for text in (repr(cfg), repr(files)):
        assert key.hex() not in text
        assert str(key) not in text


def test_a_large_generated_file_goes_in_and_out_in_chunks_and_tampering_is_caught(db, storage):
    """A case packet of tens of MB: encrypted from a file and decrypted into one, chunk by
    chunk, in the same format as any stored file; one changed byte fails the whole read."""
    from hub.storage import keep_generated, read_into, scratch

    body = samples.fpdf_pdf("packet") + os.urandom(3 * 1024 * 1024 + 7)  # > 3 chunks
    with scratch(db, storage=storage) as source:
        source.write(body)
        stored = keep_generated(
            db, None, source, "ケース記録一式_ケース1.pdf", purpose="case_packet"
        )
    db.commit()
    assert stored.size == len(body) and stored.sha256 == hashlib.sha256(body).hexdigest()
    assert stored.original_name == "ケース記録一式_ケース1.pdf" and stored.content_type == PDF
    assert read(db, stored) == body  # the ordinary reader reads it too
    with scratch(db, storage=storage) as out:
        read_into(db, stored, out)
        out.seek(0)
        assert out.read() == body
    path = storage.path_for(stored.storage_key)
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 1
    path.write_bytes(bytes(blob))
    with pytest.raises(StoredFileUnreadable), scratch(db, storage=storage) as out:
        read_into(db, stored, out)
    with pytest.raises(ValueError), scratch(db, storage=storage) as source:
        source.write(b"plain text, not a PDF")
        keep_generated(db, None, source, "x.pdf", purpose="case_packet")
