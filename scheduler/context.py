"""What a job run gets: the database, the configuration, the clock, the file storage, whether
it is a dry run, and somewhere to report progress and what a dry run would do."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from hub import clock as clocks
from hub.clock import Clock
from hub.config import Config
from hub.db import Database
from hub.storage import Storage, bind


@dataclass
class JobContext:
    database: Database
    config: Config
    clock: Clock
    storage: Storage
    dry_run: bool = False
    #: Called with the rows handled so far (the CLI's progress bar).
    progress: Callable[[int], None] | None = None
    #: What a dry run would do, one line each (ids and counts, never personal data).
    report: list[str] = field(default_factory=list)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return clocks.today(self.clock)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work of the job: committed on success, rolled back on error."""
        with self.database.transaction() as session:
            bind(session, self.storage)
            session.info["client_addr"] = "scheduler"
            yield session

    def advance(self, rows: int) -> None:
        if self.progress is not None:
            self.progress(rows)

    def note(self, line: str) -> None:
        self.report.append(line)

    @property
    def batch(self) -> int:
        return max(1, self.config.job_batch_size)
