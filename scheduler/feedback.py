"""The feedback job: the mailbox's sweep (hub.mailbox.reminders), one batch per transaction,
during opening hours only (a reminder lands when someone is at the desk)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hub import jp, workdays
from hub.mailbox import reminders
from hub.scheduler.context import JobContext


def run(ctx: JobContext) -> int:
    """Send the reminders due now; return how many were sent (or would be, dry)."""
    with ctx.transaction() as session:
        is_open = workdays.is_open(session, ctx.now())
    if not is_open:
        ctx.note("閉庁日・閉庁時間のため督促は送りません（開庁時間に送ります）。")
        return 0
    after: int | None = 0
    total = 0
    while after is not None:
        with ctx.transaction() as session:
            result, after = reminders.sweep_batch(
                session, ctx.now(), after=after, limit=ctx.batch, dry_run=ctx.dry_run
            )
        total += result.sent
        for delivery_id, stage in result.planned if ctx.dry_run else ():
            ctx.note(f"配信{delivery_id}: {stage.label}")
        ctx.advance(total)
    return total


def pending(session: Session, now: datetime) -> int:
    return reminders.pending(session, jp.local(now).date())
