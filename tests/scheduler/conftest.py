"""Scheduler fixtures: the shared city, a clock the test moves, a job context, a real SMTP
server (aiosmtpd on 127.0.0.1) whose received mails the tests read."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from city import City, Consents, bind_storage, build_city

from helpers import with_config
from hub.clock import FixedClock
from hub.jp import TOKYO
from hub.scheduler.context import JobContext

#: Monday 7 December 2026, 10:00 in Tokyo: an opening day, within opening hours.
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=TOKYO)


@pytest.fixture
def storage(db, config):
    return bind_storage(db, config)


@pytest.fixture
def city(db, make_department, make_user, make_resident, make_case, storage) -> City:
    city = build_city(db, make_department, make_user, make_resident, make_case)
    for dept in (city.nozei, city.hokenryo, city.plat, city.kaigo):
        dept.contact_email = f"{dept.code}@city.setagaya.example.jp"
    db.commit()
    return city


@pytest.fixture
def consents(db, city, storage) -> Consents:
    return Consents(db, city)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Inbox:
    """What the SMTP server accepted, parsed."""

    mails: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.mails.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"


@dataclass
class Smtp:
    port: int
    inbox: Inbox
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def mails(self) -> list[EmailMessage]:
        return self.inbox.mails


@pytest.fixture
def smtp():
    server = Smtp(free_port(), Inbox())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def job(db, database, config, storage, clock, smtp):
    """``job(**config_changes)``: a job context on the test database, clock and SMTP server.

    Making one ends the test's own transaction first (on SQLite it holds the write lock), as
    another process would not share it.
    """

    def make(dry_run: bool = False, **changes) -> JobContext:
        db.commit()
        values = {
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_timeout": 5,
            "mail_from": "tsunagu@city.setagaya.example.jp",
            "base_url": "https://hub.city.example.jp",
            **changes,
        }
        cfg = with_config(config, **values)
        return JobContext(database, cfg, clock, storage, dry_run=dry_run)

    return make
