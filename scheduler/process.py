"""The one scheduler process (``tsunagu scheduler``): APScheduler 3 in the foreground.

Web workers never run jobs (every process that starts a scheduler runs each job). A second
scheduler started by mistake does no harm — every job is idempotent in the database — it
only wastes work. Each run logs the job, the rows handled and the duration; never a name.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler

from hub.jp import TOKYO
from hub.scheduler import jobs
from hub.scheduler.context import JobContext

log = logging.getLogger("tsunagu.scheduler")


def build(make_context: Callable[[], JobContext], poll_seconds: int = 0) -> BlockingScheduler:
    """A scheduler with every job; interval jobs run once at start, then on their interval."""
    scheduler = BlockingScheduler(
        timezone=TOKYO,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600},
    )
    # APScheduler keeps real time; the jobs ask their own (injectable) clock what time it is.
    first = datetime.now(TOKYO)
    for job in jobs.JOBS:
        kind, options = job.trigger
        extra = {}
        if poll_seconds and kind == "interval":
            options = {"seconds": poll_seconds}
        if kind == "interval":
            extra["next_run_time"] = first + timedelta(seconds=1)
        scheduler.add_job(
            _run,
            kind,
            args=[job.name, make_context],
            id=job.name,
            name=job.label,
            **options,
            **extra,
        )
    return scheduler


def _run(name: str, make_context: Callable[[], JobContext]) -> None:
    jobs.execute(jobs.get(name), make_context(), "schedule")


def serve(make_context: Callable[[], JobContext], poll_seconds: int = 0) -> None:
    """Run until SIGTERM or Ctrl-C; a run in progress finishes its current batch first."""
    scheduler = build(make_context, poll_seconds)

    def stop(signum, _frame):
        if scheduler.running:  # a second signal (Ctrl-C, then the shell's kill) is no error
            log.info("scheduler stopping (signal %d)", signum)
            scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler started: %s", ", ".join(j.name for j in jobs.JOBS))
    scheduler.start()
