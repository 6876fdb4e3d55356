"""The ``tsunagu`` command: a Flask CLI group with the hub's own commands."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import FlaskGroup
from sqlalchemy.orm import Session

from hub import migrate
from hub.db import Database


def _create_app():
    from hub.app import create_app

    return create_app()


def _database() -> Database:
    return current_app.extensions["tsunagu.db"]


@contextmanager
def _unit_of_work() -> Iterator[Session]:
    """One transaction for the command; the engine's connections are closed afterwards."""
    database = _database()
    try:
        with database.transaction() as session:
            yield session
    finally:
        database.dispose()


@click.group(
    cls=FlaskGroup,
    create_app=_create_app,
    add_default_commands=True,
    load_dotenv=False,
    set_debug_flag=False,
)
def main() -> None:
    """つなぐハブ (Tsunagu Hub): run the hub and manage its database, users and audit log."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="heads", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create the database or migrate it to the latest schema."""
    migrate.upgrade(_database(), revision)
    _database().dispose()
    click.echo("データベースを最新の状態にしました。")


@main.command()
def demo() -> None:
    """Create/migrate the database and load the demo data once (idempotent); print the logins."""
    from hub import demo as demo_data
    from hub.documents.consent import demo as consent_demo
    from hub.documents.hearing import demo as hearing_demo
    from hub.documents.printing import demo as printing_demo
    from hub.mailbox import demo as mailbox_demo
    from hub.meetings import demo as meetings_demo

    migrate.upgrade(_database())
    with _unit_of_work() as session:
        created = demo_data.load(session, current_app.extensions["tsunagu.hasher"])
        hearing_demo.load(session)  # the hearing sheet of 山田 太郎's case, once
        consent_demo.load(session)
        mailbox_demo.load(session)  # a share, its receipts and feedback, a notice
        printing_demo.load(session)  # the directory of counselling windows (相談先)
        meetings_demo.load(session)  # a case conference being arranged, one answer in
        meetings_demo.load_study(session)  # a 勉強会 series: one session held, the next polled
    click.echo(
        "デモデータを読み込みました。"
        if created
        else "デモデータは読み込み済みです（既存のデータはそのままです）。"
    )
    click.echo("")
    click.echo(f"デモ用ログイン（パスワードはすべて {demo_data.DEMO_PASSWORD}）:")
    for login in demo_data.logins():
        click.echo(f"  {login.login_id:<12} {login.department}（{login.role}）")
    click.echo("")


@main.group()
def user() -> None:
    """Users: add, disable, enable, reset passwords, API tokens."""


def _hasher():
    return current_app.extensions["tsunagu.hasher"]


@user.command("add")
@click.argument("login_id")
@click.option("--name", "display_name", required=True, help="氏名")
@click.option("--department", required=True, help="所管課のコード (e.g. nozei)")
@click.option(
    "--role", type=click.Choice(["staff", "manager", "admin"]), default="staff", show_default=True
)
@click.password_option(help="12文字以上")
def user_add(login_id: str, display_name: str, department: str, role: str, password: str) -> None:
    """Add a user."""
    from sqlalchemy import select

    from hub.admin import services
    from hub.models import Department

    with _unit_of_work() as session:
        dept = session.scalar(select(Department).where(Department.code == department))
        data = {
            "login_id": login_id,
            "display_name": display_name,
            "role": role,
            "department_id": dept.id if dept else None,
            "password": password,
        }
        _run(services.add_user, session, None, _hasher(), data)
    click.echo(f"ユーザー {login_id} を追加しました。")


@user.command("disable")
@click.argument("login_id")
def user_disable(login_id: str) -> None:
    """Disable a login (its API tokens stop working too)."""
    from hub.admin import services

    with _unit_of_work() as session:
        target = _run(services.find_user, session, login_id)
        services.set_active(session, None, target, False)
    click.echo(f"ユーザー {login_id} を無効にしました。")


@user.command("enable")
@click.argument("login_id")
def user_enable(login_id: str) -> None:
    """Enable a disabled login again."""
    from hub.admin import services

    with _unit_of_work() as session:
        target = _run(services.find_user, session, login_id)
        services.set_active(session, None, target, True)
    click.echo(f"ユーザー {login_id} を有効にしました。")


@user.command("reset-password")
@click.argument("login_id")
@click.option("--password", default=None, help="指定しなければ一時パスワードを生成します")
def user_reset_password(login_id: str, password: str | None) -> None:
    """Set a temporary password the user must change at next login; unlock the account."""
    from hub.admin import services

    with _unit_of_work() as session:
        target = _run(services.find_user, session, login_id)
        temporary = _run(services.reset_password, session, None, _hasher(), target, password)
    click.echo(f"ユーザー {login_id} の一時パスワード: {temporary}")
    click.echo("次回ログイン時にパスワードの変更が求められます。")


@user.command("token")
@click.argument("login_id")
@click.option("--name", default="CLI", show_default=True)
def user_token(login_id: str, name: str) -> None:
    """Create an API token for a user and print it once."""
    from hub.admin import services
    from hub.auth.services import create_token

    with _unit_of_work() as session:
        target = _run(services.find_user, session, login_id)
        _token, plain = _run(create_token, session, target, name)
    click.echo(plain)


@main.group("audit")
def audit_group() -> None:
    """Audit log."""


@audit_group.command("verify")
@click.option(
    "--checkpoints",
    "export",
    type=click.Path(exists=True, dir_okay=False),
    help="封印の書き出しファイル（既定: 設定の書き出し先）も照合する",
)
def audit_verify(export: str | None) -> None:
    """Check the hash chain and every signed checkpoint; exit 1 at the first problem."""
    from pathlib import Path

    from hub import audit, audit_checkpoints

    cfg = current_app.extensions["tsunagu.config"]
    public = audit_checkpoints.signing_key(cfg).public_key()
    path = Path(export) if export else cfg.audit_dir / audit_checkpoints.EXPORT_FILE
    extra = audit_checkpoints.read_export(path) if path.is_file() else []
    with _unit_of_work() as session:
        report = audit.verify(session)
        checked, problems = audit_checkpoints.verify(session, public, extra)
    if not report.ok and report.broken_seq is None:
        click.echo(
            f"連結されていない監査ログがあります（{report.problem}）。定期実行"
            "（tsunagu scheduler）が動いているか確認し、tsunagu audit seal で連結してください。",
            err=True,
        )
    elif not report.ok:
        click.echo(
            f"監査ログの連鎖が壊れています: 番号 {report.broken_seq} — {report.problem}"
            f"（それまでの{report.checked}件は正常）",
            err=True,
        )
    for problem in problems:
        click.echo(f"封印と一致しません: {problem}", err=True)
    if not report.ok or problems:
        sys.exit(1)
    click.echo(f"監査ログは改ざんされていません（{report.checked}件、封印{checked}件を確認）。")


@audit_group.command("seal")
def audit_seal() -> None:
    """Number and chain the audit events not on the chain yet (the scheduler does it every 2 s)."""
    from hub import audit

    with _unit_of_work() as session:
        done = audit.seal_all(session)
    click.echo(f"監査ログ {done} 件を連結しました。")


@audit_group.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the chain's head now (the scheduler does it daily)."""
    from hub.scheduler.cli import make_context
    from hub.scheduler.jobs import get, run_by_hand

    ctx = make_context()
    run = run_by_hand(get("audit_checkpoint"), ctx)
    ctx.database.dispose()
    if run.error:
        raise click.ClickException(run.error)
    click.echo(f"監査ログを封印しました（{ctx.config.audit_dir}）。")


@main.group("mailbox")
def mailbox_group() -> None:
    """Mailbox (kept for old scripts; the scheduler's feedback job does this now)."""


@mailbox_group.command("remind")
def mailbox_remind() -> None:
    """Same as `tsunagu jobs run feedback` (the scheduler runs it every 5 minutes)."""
    from hub.scheduler.cli import jobs_run

    click.echo("（tsunagu mailbox remind は tsunagu jobs run feedback になりました）", err=True)
    click.get_current_context().invoke(jobs_run, name="feedback", dry_run=False)


def _add_scheduler_commands() -> None:
    from hub.scheduler.cli import jobs_group, retention_group, scheduler_command

    main.add_command(scheduler_command)
    main.add_command(jobs_group)
    main.add_command(retention_group)


_add_scheduler_commands()


def _run(fn, *args):
    """Call a service; turn a user-fixable error into a clean CLI error."""
    from hub.errors import HubError

    try:
        return fn(*args)
    except HubError as exc:
        details = "".join(f"\n  {name}: {msg}" for name, msg in exc.fields.items())
        raise click.ClickException(exc.message + details) from None
