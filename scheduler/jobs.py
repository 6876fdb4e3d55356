"""The jobs, their schedules, and how one run is recorded.

A job is a plain function ``run(ctx) -> rows`` that commits its own batches, and a
``pending(session, now) -> rows due now`` for ``tsunagu jobs list`` and the admin page. Every
run — scheduled, from the CLI or from the admin page — writes a ``job_runs`` row when it
starts and its outcome when it ends; a failure keeps its error there and the next run retries.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit, audit_checkpoints
from hub.errors import NotFound
from hub.meetings import jobs as meetings
from hub.scheduler import consents, feedback, outbox, packets, retention
from hub.scheduler.context import JobContext
from hub.scheduler.models import JobRun, RunOutcome

log = logging.getLogger("tsunagu.scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    label: str
    #: Japanese, for the admin page and ``jobs list``.
    schedule_label: str
    #: APScheduler trigger: ("interval", {"seconds": …}) or ("cron", {"hour": …, …}).
    trigger: tuple[str, dict[str, Any]]
    run: Callable[[JobContext], int]
    pending: Callable[[Session, datetime], int]
    #: A frequent poller: a scheduled run with nothing due records no ``job_runs`` row.
    quiet: bool = False


def _seal(ctx: JobContext) -> int:
    """Number and chain the audit events committed since the last run (batch by batch)."""
    if ctx.dry_run:
        with ctx.transaction() as session:
            waiting = audit.unsealed_before(session)
        if waiting:
            ctx.note(f"監査ログ {waiting} 件を連結します。")
        return waiting
    total = 0
    while True:
        with ctx.transaction() as session:
            done = audit.seal(session)
        total += done
        if done < audit.SEAL_BATCH:
            return total


def _seal_pending(session: Session, now: datetime) -> int:
    return audit.unsealed_before(session)


def _checkpoint(ctx: JobContext) -> int:
    if not ctx.dry_run:
        _seal(ctx)  # the head signed includes every event committed so far
    key = audit_checkpoints.signing_key(ctx.config)
    if ctx.dry_run:
        with ctx.transaction() as session:
            seq, _hash = audit_checkpoints.chain_head(session)
        ctx.note(f"監査ログの番号 {seq} までを封印します。")
        return 1
    with ctx.transaction() as session:
        audit_checkpoints.checkpoint(session, key, ctx.now(), ctx.config.audit_dir)
    return 1


def _checkpoint_pending(session: Session, now: datetime) -> int:
    from hub.models import AuditCheckpoint

    last = session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
    seq, _hash = audit_checkpoints.chain_head(session)
    return 0 if last is not None and last.seq == seq else 1


JOBS: tuple[Job, ...] = (
    Job(
        "feedback",
        "フィードバック督促",
        "5分ごと（開庁時間）",
        ("interval", {"minutes": 5}),
        feedback.run,
        feedback.pending,
    ),
    Job(
        "consents",
        "同意の期限",
        "15分ごと（警告は開庁時間）",
        ("interval", {"minutes": 15}),
        consents.run,
        consents.pending,
    ),
    Job(
        "meetings",
        "ケース会議の日程調整・リマインダー",
        "5分ごと",
        ("interval", {"minutes": 5}),
        meetings.run,
        meetings.pending,
    ),
    Job(
        "outbox",
        "送信キュー",
        "30秒ごと",
        ("interval", {"seconds": 30}),
        outbox.run,
        outbox.pending,
    ),
    Job(
        "packets",
        "ケース記録一式の作成",
        "5秒ごと（作成待ちがあるとき）",
        ("interval", {"seconds": 5}),
        packets.run,
        packets.pending,
        quiet=True,
    ),
    Job(
        "retention",
        "保存期間",
        "毎日 2:30",
        ("cron", {"hour": 2, "minute": 30}),
        retention.run,
        retention.pending,
    ),
    Job(
        "audit_seal",
        "監査ログの連結",
        "2秒ごと（記録があるとき）",
        ("interval", {"seconds": 2}),
        _seal,
        _seal_pending,
        quiet=True,
    ),
    Job(
        "audit_checkpoint",
        "監査ログの封印",
        "毎日 0:10",
        ("cron", {"hour": 0, "minute": 10}),
        _checkpoint,
        _checkpoint_pending,
    ),
)
BY_NAME = {job.name: job for job in JOBS}


def get(name: str) -> Job:
    try:
        return BY_NAME[name]
    except KeyError:
        raise NotFound(f"ジョブ {name} はありません（{', '.join(BY_NAME)}）。") from None


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


def run_by_hand(job: Job, ctx: JobContext) -> JobRun:
    """Run a job now for a person (the CLI, 管理 → 定期処理): always recorded."""
    run = execute(job, ctx, "manual")
    assert run is not None  # only a quiet scheduled run goes unrecorded
    return run


def execute(job: Job, ctx: JobContext, trigger: str = "schedule") -> JobRun | None:
    """Run a job once and record the run; a failure is recorded (and logged), not raised.

    A quiet job's scheduled run with nothing due is skipped without a record (None): the
    packets job polls every few seconds so that a packet starts soon after it is asked for.
    """
    if job.quiet and trigger == "schedule":
        with ctx.transaction() as session:
            if not job.pending(session, ctx.now()):
                return None
    with ctx.transaction() as session:
        run = JobRun(
            job=job.name,
            outcome=RunOutcome.RUNNING,
            trigger=trigger,
            is_dry_run=ctx.dry_run,
            runner=runner_name(),
            started_at=ctx.now(),
        )
        session.add(run)
    started = time.monotonic()
    error = ""
    rows = 0
    try:
        rows = job.run(ctx)
    except Exception as exc:  # recorded on the run and shown to the administrator
        error = f"{type(exc).__name__}: {exc}"[:500]
        log.exception("job=%s failed", job.name)
    duration = time.monotonic() - started
    with ctx.transaction() as session:
        row = session.get_one(JobRun, run.id)
        row.outcome = RunOutcome.FAILED if error else RunOutcome.OK
        row.finished_at = ctx.now()
        row.rows = rows
        row.error = error
        run = row
    log.info(
        "job=%s rows=%d duration=%.3fs outcome=%s%s",
        job.name,
        rows,
        duration,
        run.outcome.value,
        " dry-run" if ctx.dry_run else "",
    )
    return run


@dataclass(frozen=True)
class Status:
    job: Job
    last: JobRun | None
    last_failure: JobRun | None
    #: Failed runs in a row up to the last one.
    failing: int
    pending: int | None


def statuses(session: Session, now: datetime) -> list[Status]:
    """Each job with its last run, last failure and the rows due now (for list and page)."""
    found = []
    for job in JOBS:
        recent = list(
            session.scalars(
                select(JobRun)
                .where(JobRun.job == job.name, JobRun.is_dry_run.is_(False))
                .order_by(JobRun.id.desc())
                .limit(20)
            )
        )
        failing = 0
        for r in recent:
            if r.outcome != RunOutcome.FAILED:
                break
            failing += 1
        failure = next((r for r in recent if r.outcome == RunOutcome.FAILED), None)
        try:
            due: int | None = job.pending(session, now)
        except Exception:  # a broken job must not hide the others on the page
            log.exception("job=%s pending count failed", job.name)
            session.rollback()
            due = None
        found.append(Status(job, recent[0] if recent else None, failure, failing, due))
    return found
