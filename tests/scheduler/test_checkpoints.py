"""監査ログの封印: a signed head, and a chain recomputed from its first row is found out."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import select, update

from hub import audit, audit_checkpoints
from hub.cli import main
from hub.models import AuditCheckpoint, AuditEvent, AuditHead
from hub.models.audit import GENESIS_HASH
from hub.scheduler import jobs


def _events(db, n):
    for k in range(n):
        audit.record(db, None, "test.event", login_id="test", reason=f"event {k}")
    db.commit()


def _recompute_whole_chain(db):
    """What an attacker with database access does: edit a row, then rehash everything."""
    db.expire_all()  # the sealer (the job) numbered the rows in its own session
    db.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(reason="nothing to see"))
    prev = GENESIS_HASH
    sealed = select(AuditEvent).where(AuditEvent.seq.is_not(None)).order_by(AuditEvent.seq)
    for row in db.scalars(sealed):
        row.prev_hash = prev
        row.hash = audit.event_hash({**audit._row_values(row), "prev_hash": prev})
        prev = row.hash
    db.execute(update(AuditHead).values(last_hash=prev))
    db.commit()


def test_checkpoint_signs_the_head_and_verify_finds_a_recomputed_chain(db, job, config):
    _events(db, 5)
    ctx = job()
    done = jobs.execute(jobs.get("audit_checkpoint"), ctx, "manual")
    assert done.error == ""
    checkpoint = db.scalar(select(AuditCheckpoint))
    assert checkpoint.seq == 5
    export = config.audit_dir / audit_checkpoints.EXPORT_FILE
    line = json.loads(export.read_text().splitlines()[0])
    assert line["seq"] == 5 and line["hash"] == checkpoint.hash and line["public_key"]
    public = audit_checkpoints.signing_key(ctx.config).public_key()
    assert audit_checkpoints.verify(db, public) == (1, [])

    _recompute_whole_chain(db)
    assert audit.verify(db).ok  # the chain alone no longer tells
    checked, problems = audit_checkpoints.verify(db, public, audit_checkpoints.read_export(export))
    assert checked == 2 and len(problems) == 2
    assert "番号 5" in problems[0] and "作り直" in problems[0]


def test_a_forged_checkpoint_fails_its_signature(db, job):
    _events(db, 2)
    ctx = job()
    jobs.execute(jobs.get("audit_checkpoint"), ctx, "manual")
    db.execute(
        update(AuditCheckpoint).values(
            seq=1, hash=db.scalar(select(AuditEvent.hash).where(AuditEvent.seq == 1))
        )
    )
    db.commit()
    public = audit_checkpoints.signing_key(ctx.config).public_key()
    _checked, problems = audit_checkpoints.verify(db, public)
    assert problems and "署名" in problems[0]


def test_cli_checkpoint_and_verify_exit_1_on_a_recomputed_chain(db, config, monkeypatch):
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", config.database_url)
    monkeypatch.setenv("TSUNAGU_INSTANCE_PATH", config.instance_path)
    _events(db, 3)
    runner = CliRunner()
    assert runner.invoke(main, ["audit", "checkpoint"]).exit_code == 0
    ok = runner.invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0 and "封印" in ok.output
    _recompute_whole_chain(db)
    broken = runner.invoke(main, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "封印と一致しません" in broken.output
