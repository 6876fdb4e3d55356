"""The packets job: build the case packets web requests queued, and delete expired ones.

A web request writes a queued :class:`~hub.documents.printing.models.PacketJob`; this job
claims one at a time (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE`` on
SQLite), asks the consent gate on the day it builds, writes the file with no transaction
open — committing the progress for the browser's bar as it goes — and records the outcome
in one last transaction with the encrypted file (and, for 連絡で提供, the share). A run
killed halfway leaves the job running; after its lease another run builds it again.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from hub import storage
from hub.db import is_postgres
from hub.documents.printing import jobs, packet
from hub.documents.printing.models import PacketJob, PacketStatus
from hub.errors import HubError
from hub.scheduler.context import JobContext

log = logging.getLogger("tsunagu.scheduler")

#: A job running longer than this is taken to be from a process that died.
LEASE = timedelta(minutes=15)
#: Progress is committed at most this often (seconds).
PROGRESS_EVERY = 0.5
FAILED = "作成中にエラーが発生したため、作成できませんでした（{kind}）。もう一度お試しください。"


def _claimable(now: datetime):
    return or_(
        PacketJob.status == PacketStatus.QUEUED,
        and_(PacketJob.status == PacketStatus.RUNNING, PacketJob.started_at < now - LEASE),
    )


def _expired(now: datetime):
    return and_(
        PacketJob.status == PacketStatus.DONE,
        PacketJob.expires_at < now,
        PacketJob.stored_file_id.is_not(None),
    )


def claim(ctx: JobContext) -> int | None:
    """Take the oldest queued job (or one whose runner died); None when there is none."""
    from hub.scheduler.jobs import runner_name

    now = ctx.now()
    with ctx.transaction() as session:
        query = select(PacketJob.id).where(_claimable(now)).order_by(PacketJob.id).limit(1)
        if is_postgres(session):
            query = query.with_for_update(skip_locked=True)
        job_id = session.scalar(query)
        if job_id is None:
            return None
        session.execute(
            update(PacketJob)
            .where(PacketJob.id == job_id)
            .values(
                status=PacketStatus.RUNNING, started_at=now, runner=runner_name(), done=0, total=0
            )
        )
        return job_id


def _progress(ctx: JobContext, job_id: int):
    last = 0.0

    def report(done: int, total: int) -> None:
        nonlocal last
        if done < total and time.monotonic() - last < PROGRESS_EVERY:
            return
        last = time.monotonic()
        with ctx.transaction() as session:
            session.execute(
                update(PacketJob).where(PacketJob.id == job_id).values(done=done, total=total)
            )

    return report


def _finish_without(ctx: JobContext, job_id: int, status: PacketStatus, error: str) -> None:
    with ctx.transaction() as session:
        job = session.get_one(PacketJob, job_id)
        job.status, job.error, job.password_box = status, error[:2000], ""
        job.finished_at = ctx.now()


def build(ctx: JobContext, job_id: int) -> PacketStatus:
    """Build one claimed job; its outcome is recorded on the row (never raised)."""
    with ctx.transaction() as session:
        job = session.get_one(PacketJob, job_id)
        user, fmt = job.requested_by, job.format.value
        scope = packet.scope_for(
            session, user, job.case, job.recipient, ctx.today(), action="packet.consent"
        )
        if not scope.is_own and not scope.cut.allowed:
            job.status, job.finished_at, job.password_box = PacketStatus.REFUSED, ctx.now(), ""
            job.error = "\n".join([jobs.REFUSED, *sorted(set(scope.cut.reasons.values()))])[:2000]
            return job.status
        gathered = packet.gather(session, scope, generated_by=user.display_name, now=ctx.now())
        password = jobs.unseal(session, job.password_box)
    try:
        with storage.scratch(storage=ctx.storage) as out:
            result = packet.write_to(
                gathered.data, out, fmt, password=password, progress=_progress(ctx, job_id)
            )
            with ctx.transaction() as session:
                job = session.get_one(PacketJob, job_id)
                job.day = scope.day
                stored = jobs.keep(session, job.requested_by, job, out)
                jobs.complete(session, job.requested_by, job, gathered, stored, result, ctx.now())
                return job.status
    except HubError as exc:  # the share was refused: the consent changed while it was built
        _finish_without(ctx, job_id, PacketStatus.REFUSED, exc.message)
        return PacketStatus.REFUSED
    except Exception as exc:  # recorded on the job for the user, logged for the administrator
        log.exception("job=packets packet=%d failed", job_id)
        _finish_without(ctx, job_id, PacketStatus.FAILED, FAILED.format(kind=type(exc).__name__))
        return PacketStatus.FAILED


def purge(ctx: JobContext) -> int:
    """Delete the files of packets past their download period (the rows stay)."""
    now, removed = ctx.now(), 0
    with ctx.transaction() as session:
        for job in session.scalars(select(PacketJob).where(_expired(now)).limit(ctx.batch)):
            stored = job.stored_file
            job.stored_file_id, job.status = None, PacketStatus.EXPIRED
            session.flush()
            if stored is not None:
                storage.discard(session, stored, reason=f"packet {job.id} expired")
            removed += 1
    return removed


def run(ctx: JobContext) -> int:
    """Build every queued packet, then delete expired files; return the rows handled."""
    if ctx.dry_run:
        with ctx.transaction() as session:
            due = pending(session, ctx.now())
        ctx.note(f"作成待ち・期限切れのケース記録一式 {due}件")
        return due
    handled = 0
    while (job_id := claim(ctx)) is not None:
        build(ctx, job_id)
        handled += 1
        ctx.advance(handled)
    return handled + purge(ctx)


def pending(session: Session, now: datetime) -> int:
    """Packets waiting to be built, or whose files are due for deletion."""
    query = select(func.count()).where(or_(_claimable(now), _expired(now)))
    return session.scalar(query.select_from(PacketJob)) or 0
