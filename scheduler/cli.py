"""The scheduler's commands: ``tsunagu scheduler``, ``tsunagu jobs list|run``, the legal hold
and the audit checkpoint (the app factory's CLI adds them to ``tsunagu``)."""

from __future__ import annotations

import logging
import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from hub import clock as clocks
from hub import jp
from hub.config import Config
from hub.db import Database
from hub.scheduler import jobs, process
from hub.scheduler.context import JobContext


def make_context(*, dry_run: bool = False, progress=None) -> JobContext:
    cfg: Config = current_app.extensions["tsunagu.config"]
    database: Database = current_app.extensions["tsunagu.db"]
    return JobContext(
        database=database,
        config=cfg,
        clock=clocks.from_config(cfg.fixed_now),
        storage=current_app.extensions["tsunagu.storage"],
        dry_run=dry_run,
        progress=progress,
    )


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler in the foreground (exactly one per installation)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # One line per run from our runner; APScheduler's own "running job …" lines are noise.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    cfg: Config = current_app.extensions["tsunagu.config"]
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's app

    def context() -> JobContext:
        with app.app_context():
            return make_context()

    process.serve(context, cfg.scheduler_poll_seconds)


@click.group("jobs", cls=AppGroup)
def jobs_group() -> None:
    """Scheduled jobs: list them, run one now."""


@jobs_group.command("list")
def jobs_list() -> None:
    """Name, schedule, last run, outcome and rows due now of every job."""
    ctx = make_context()
    with ctx.transaction() as session:
        rows = jobs.statuses(session, ctx.now())
    click.echo(f"{'ジョブ':<18}{'予定':<22}{'前回の実行':<20}{'結果':<6}{'処理':>6}{'対象':>6}")
    for st in rows:
        last = st.last
        when = jp.local(last.started_at).strftime("%Y-%m-%d %H:%M") if last else "—"
        outcome = last.outcome.label if last else "—"
        done = str(last.rows) if last else "—"
        due = "?" if st.pending is None else str(st.pending)
        click.echo(
            f"{st.job.name:<18}{st.job.schedule_label:<22}{when:<20}{outcome:<6}{done:>6}{due:>6}"
        )
        if st.failing and st.last_failure:
            click.echo(f"  失敗が{st.failing}回続いています: {st.last_failure.error}")
    ctx.database.dispose()


@jobs_group.command("run")
@click.argument("name")
@click.option("--dry-run", is_flag=True, help="何をするかを表示するだけで、何も変更しない")
def jobs_run(name: str, dry_run: bool) -> None:
    """Run one job now (the same code the scheduler runs)."""
    try:
        job = jobs.get(name)
    except Exception as exc:  # NotFound with the list of names
        raise click.ClickException(getattr(exc, "message", str(exc))) from None
    first = make_context()
    with first.transaction() as session:
        total = job.pending(session, first.now())
    with click.progressbar(
        length=max(total, 1), label=job.label, show_pos=True, file=sys.stderr
    ) as bar:

        def progress(done: int) -> None:
            bar.update(max(0, min(done, bar.length or 1) - bar.pos))

        ctx = make_context(dry_run=dry_run, progress=progress)
        run = jobs.run_by_hand(job, ctx)
    for line in ctx.report:
        click.echo(line)
    verb = "対象" if dry_run else "処理"
    click.echo(f"{job.label}: {run.outcome.label}（{verb} {run.rows}件）")
    ctx.database.dispose()
    if run.error:
        click.echo(run.error, err=True)
        sys.exit(1)


@click.group("retention", cls=AppGroup)
def retention_group() -> None:
    """Retention: legal holds (リーガルホールド)."""


@retention_group.command("hold")
@click.option("--case", "case_id", type=int, help="ケース番号")
@click.option("--resident", "resident_id", type=int, help="対象者の番号（内部ID）")
@click.option("--release", is_flag=True, help="保存の指定を解除する")
@click.option("--reason", required=True, help="理由（訴訟・不服申立て等。個人情報は書かない）")
def retention_hold(case_id: int | None, resident_id: int | None, release: bool, reason: str):
    """Keep a case or a resident past its retention period (or release it)."""
    from hub.models import Case, Resident
    from hub.scheduler import retention

    if (case_id is None) == (resident_id is None):
        raise click.UsageError("--case か --resident のどちらか一つを指定してください。")
    ctx = make_context()
    with ctx.transaction() as session:
        obj = session.get(Case, case_id) if case_id else session.get(Resident, resident_id)
        if obj is None:
            raise click.ClickException("指定されたケース・対象者はありません。")
        retention.hold(session, obj, not release, reason)
    ctx.database.dispose()
    click.echo(
        "保存の指定を解除しました。"
        if release
        else "保存期間を過ぎても削除しないよう指定しました。"
    )
