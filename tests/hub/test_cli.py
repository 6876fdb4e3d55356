"""The tsunagu command: demo, users, audit verify — and a real `tsunagu run` process."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from hub.cli import main
from hub.models import AuditEvent, Department, Resident, User


@pytest.fixture
def cli(db, config, monkeypatch):
    """Run tsunagu commands against the test database with cheap password hashing."""
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", config.database_url)
    monkeypatch.setenv("TSUNAGU_INSTANCE_PATH", config.instance_path)
    monkeypatch.setenv("TSUNAGU_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("TSUNAGU_ARGON2_MEMORY_COST", "8")
    monkeypatch.setenv("TSUNAGU_ARGON2_PARALLELISM", "1")
    runner = CliRunner()

    def run(*args, input=None):
        db.commit()  # release the test's transaction (SQLite: the write lock) first
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return run


def test_help_lists_the_commands(cli):
    out = cli("--help").output
    for command in ("run", "db", "demo", "user", "audit"):
        assert command in out


def test_demo_is_idempotent_and_prints_logins(cli, db):
    first = cli("demo")
    assert first.exit_code == 0
    assert "デモデータを読み込みました" in first.output
    assert "nozei01" in first.output and "ぷらっとホーム世田谷" in first.output
    counts = [db.scalar(select(func.count()).select_from(m)) for m in (Department, User, Resident)]
    second = cli("demo")
    assert "読み込み済み" in second.output
    assert [
        db.scalar(select(func.count()).select_from(m)) for m in (Department, User, Resident)
    ] == counts
    names = set(db.scalars(select(Department.name)))
    assert {
        "納税課",
        "保険料収納課",
        "国保・年金課",
        "介護保険課",
        "ぷらっとホーム世田谷",
        "保健福祉センター",
    } <= names


def test_user_add_disable_enable_and_reset(cli, db, demo_data, hasher):
    added = cli(
        "user",
        "add",
        "taro",
        "--name",
        "新人 太郎",
        "--department",
        "nozei",
        "--role",
        "staff",
        input="a-long-password-1\na-long-password-1\n",
    )
    assert added.exit_code == 0, added.output
    user = db.scalar(select(User).where(User.login_id == "taro"))
    assert user.department.code == "nozei"
    assert cli("user", "disable", "taro").exit_code == 0
    db.refresh(user)
    assert not user.is_active
    assert cli("user", "enable", "taro").exit_code == 0
    reset = cli("user", "reset-password", "taro")
    temporary = reset.output.split("一時パスワード: ")[1].split()[0]
    db.refresh(user)
    assert user.must_change_password
    assert hasher.verify(user.password_hash, temporary)


def test_user_add_reports_bad_input_without_a_traceback(cli, demo_data):
    result = cli(
        "user", "add", "x", "--name", "名前", "--department", "nowhere", input="short\nshort\n"
    )
    assert result.exit_code != 0
    assert "所属する所管課を選んでください" in result.output
    assert "Traceback" not in result.output
    assert cli("user", "disable", "ghost").exit_code != 0


def test_audit_verify_passes_then_fails_after_tampering(cli, db, demo_data):
    sealed = cli("audit", "seal")
    assert sealed.exit_code == 0 and "件を連結しました" in sealed.output
    ok = cli("audit", "verify")
    assert ok.exit_code == 0
    assert "改ざんされていません" in ok.output
    seq = db.scalar(select(func.max(AuditEvent.seq)))
    db.execute(
        text("UPDATE audit_events SET action = 'nothing.happened' WHERE seq = :s"), {"s": seq}
    )
    db.commit()
    broken = cli("audit", "verify")
    assert broken.exit_code == 1
    assert f"番号 {seq} — 記録の内容が書き換えられています" in broken.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_then_run_serves_the_login_page(tmp_path: Path):
    """What `make run` does, as processes: demo data on the embedded SQLite, then the server."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "TSUNAGU_INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("TSUNAGU_DATABASE_URL", None)
    demo = subprocess.run(
        [bin_dir / "tsunagu", "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "nozei01" in demo.stdout
    assert (tmp_path / "instance" / "tsunagu.sqlite3").exists()
    port = _free_port()
    server = subprocess.Popen(
        [bin_dir / "tsunagu", "run", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as r:
                    body = r.read().decode()
                break
            except OSError:
                time.sleep(0.1)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert "ログイン" in body, output.decode(errors="replace")


def test_audit_verify_says_when_the_sealer_has_not_run(cli, db, monkeypatch):
    """Events older than the grace and not on the chain: the scheduler is not sealing."""
    from datetime import timedelta

    from hub import audit
    from hub.db import utcnow

    audit.record(db, None, "test.event", login_id="test")
    db.commit()
    later = utcnow() + timedelta(minutes=5)
    monkeypatch.setattr(audit, "utcnow", lambda: later)
    stale = cli("audit", "verify")
    assert stale.exit_code == 1
    assert "連結されていない監査ログがあります（1件、60秒以上）" in stale.output
    assert "tsunagu audit seal" in stale.output
    assert cli("audit", "seal").exit_code == 0
    assert cli("audit", "verify").exit_code == 0
