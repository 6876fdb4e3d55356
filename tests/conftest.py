"""Fixtures: every database test runs on SQLite and, when configured, on PostgreSQL.

``TSUNAGU_TEST_POSTGRES_URL`` enables the PostgreSQL run; ``TSUNAGU_CHROMIUM`` (or
/usr/bin/chromium) enables browser tests. With ``TSUNAGU_REQUIRE_ALL=1`` a group that cannot run
fails instead of being skipped.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import Phase, settings
from sqlalchemy import create_engine, make_url, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from helpers import PASSWORD, PG_URL, _skipped_groups, login, unavailable
from hub import demo, jp, migrate
from hub.app import load_models
from hub.auth.passwords import hasher_for
from hub.config import Config
from hub.db import Base, Database
from hub.models import Case, CaseDepartment, Department, DepartmentKind, Resident, Role, User


def pytest_terminal_summary(terminalreporter) -> None:
    if _skipped_groups:
        terminalreporter.section("groups skipped")
        for group, reason in sorted(_skipped_groups.items()):
            terminalreporter.write_line(f"{group}: skipped — {reason}")


load_models()

# HYPOTHESIS_PROFILE=mutation: find a failure without shrinking it (for checking that a test
# fails when a service check is removed: shrinking the failure can take many minutes).
settings.register_profile("mutation", phases=[Phase.explicit, Phase.reuse, Phase.generate])
# HYPOTHESIS_PROFILE=ci (.ci/run): the same examples every run, so a red CI is reproducible;
# `make test` on a workstation keeps exploring new ones.
settings.register_profile("ci", derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@contextmanager
def _throwaway_postgres(url: str) -> Iterator[str]:
    """Create a database of its own for this run beside the given one, and drop it after.

    Two runs at once (two developers, CI and a developer) never touch each other's tables,
    and the database named in TSUNAGU_TEST_POSTGRES_URL is left as it was.
    """
    base = make_url(url)
    name = f"{base.database}_tsunagu_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        unavailable("postgresql", f"cannot create a test database on {base.host}: {exc.orig}")
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pytest_collection_modifyitems(config, items):
    """A test marked ``only_backend("sqlite")`` exists for that backend only: its other
    parametrisation is deselected, not skipped (a skip in CI means a group did not run)."""
    keep, drop = [], []
    for item in items:
        marker = item.get_closest_marker("only_backend")
        backend = getattr(getattr(item, "callspec", None), "params", {}).get("database")
        if marker is not None and backend is not None and backend != marker.args[0]:
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(request, tmp_path_factory) -> Iterator[Database]:
    """A migrated database per backend for the whole run."""
    with ExitStack() as stack:
        if request.param == "postgresql":
            if not PG_URL:
                unavailable("postgresql", "TSUNAGU_TEST_POSTGRES_URL is not set")
            url = stack.enter_context(_throwaway_postgres(PG_URL))
        else:
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        database = Database(url)
        migrate.upgrade(database)
        yield database
        database.dispose()


def _truncate(database: Database) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with database.engine.begin() as conn:
        if database.is_sqlite:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))  # noqa: S608 - our own table names
        else:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def config(database: Database, tmp_path: Path) -> Config:
    """A test configuration on the current backend with cheap password hashing."""
    return Config(
        env="development",
        instance_path=str(tmp_path / "instance"),
        database_url=database.url,
        secret_key="test-secret-key-not-for-production",
        argon2_time_cost=1,
        argon2_memory_cost=8,
        argon2_parallelism=1,
        login_rate_limit="1000 per minute",
        testing=True,
    )


@pytest.fixture
def db(database: Database, config: Config) -> Iterator[Session]:
    """A clean database and a session on it (commit what a test sets up)."""
    _truncate(database)
    session = database.session()
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def hasher(config: Config):
    return hasher_for(config)


class _TestClient(FlaskClient):
    """A test client that first ends the test's own transaction, as another user would not
    share it (on SQLite every transaction holds the write lock, see hub.db)."""

    def open(self, *args, **kwargs):
        self.application.extensions["tsunagu.test_session"].commit()
        return super().open(*args, **kwargs)


@pytest.fixture
def app(config: Config, db: Session):
    from hub.app import create_app

    application = create_app(config)
    application.extensions["tsunagu.test_session"] = db
    application.test_client_class = _TestClient
    yield application
    application.extensions["tsunagu.db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


# ---------------------------------------------------------------- factories


@pytest.fixture
def make_department(db: Session) -> Callable[..., Department]:
    counter = iter(range(1, 10_000))

    def make(
        name: str | None = None,
        kind: DepartmentKind = DepartmentKind.COLLECTION,
        code: str | None = None,
    ) -> Department:
        n = next(counter)
        dept = Department(code=code or f"dept{n}", name=name or f"テスト課{n}", kind=kind)
        db.add(dept)
        db.commit()
        return dept

    return make


@pytest.fixture
def make_user(db: Session, hasher, make_department) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(
        role: Role = Role.STAFF,
        department: Department | None = None,
        login_id: str | None = None,
        password: str = PASSWORD,
        **extra,
    ) -> User:
        user = User(
            login_id=login_id or f"user{next(counter)}",
            display_name="テスト 利用者",
            role=role,
            department=department or make_department(),
            password_hash=hasher.hash(password),
            **extra,
        )
        db.add(user)
        db.commit()
        return user

    return make


@pytest.fixture
def make_resident(db: Session, make_department) -> Callable[..., Resident]:
    counter = iter(range(1, 10_000))

    def make(
        name: str = "山田 太郎",
        kana: str = "ヤマダ タロウ",
        department: Department | None = None,
        atena_no: str | None = None,
        **extra,
    ) -> Resident:
        dept = department or make_department()
        resident = Resident(
            atena_no=atena_no or f"{9000000000 + next(counter)}",
            name=name,
            kana=kana,
            name_key=jp.fold(name),
            kana_key=jp.fold(kana),
            created_by_department_id=dept.id,
            **extra,
        )
        db.add(resident)
        db.commit()
        return resident

    return make


@pytest.fixture
def make_case(db: Session, make_resident, make_user) -> Callable[..., Case]:
    def make(
        resident: Resident | None = None,
        lead: Department | None = None,
        departments: list[Department] = (),
        summary: str = "",
    ) -> Case:
        author = make_user(department=lead) if lead else make_user()
        lead_dept = author.department
        resident = resident or make_resident(department=lead_dept)
        case = Case(
            resident=resident,
            lead_department_id=lead_dept.id,
            created_by_id=author.id,
            summary=summary,
        )
        for dept_id in {lead_dept.id, *(d.id for d in departments)}:
            case.involvements.append(CaseDepartment(department_id=dept_id, added_by_id=author.id))
        db.add(case)
        db.commit()
        return case

    return make


@pytest.fixture
def active_consent(db: Session, make_user) -> Callable[..., Any]:
    """An active consent written straight to the database (no form, no scan): for tests of
    what the consent allows, not of how it is taken (tests/documents/consent does that).

    ``grants`` are ``(from department, to department, [categories])``.
    """
    from hub.documents.consent.models import Consent, ConsentGrant, ConsentStatus

    def make(
        resident: Resident,
        obtaining: Department,
        grants: list[tuple[Department, Department, list[str]]],
        *,
        obtained_on: date | None = None,
        valid_until: date | None = None,
        purposes: tuple[str, ...] = ("生活再建の支援",),
    ) -> Consent:
        today = jp.today()
        author = db.scalar(select(User).where(User.department_id == obtaining.id).limit(1))
        consent = Consent(
            resident_id=resident.id,
            obtaining_department_id=obtaining.id,
            obtained_by_id=(author or make_user(department=obtaining)).id,
            status=ConsentStatus.ACTIVE,
            obtained_on=obtained_on or today,
            valid_until=valid_until or today + timedelta(days=365),
            purposes=list(purposes),
        )
        consent.grants = [
            ConsentGrant(from_department_id=s.id, to_department_id=r.id, category=c)
            for s, r, categories in grants
            for c in categories
        ]
        db.add(consent)
        db.commit()
        return consent

    return make


@pytest.fixture
def demo_data(db: Session, hasher) -> None:
    """The demo's departments, users, residents and cases (each with its lead only)."""
    demo.load(db, hasher)
    db.commit()


#: One real rendering of each consent form per run (see ``fast_forms``).
_RENDERED: dict[str, bytes] = {}


@pytest.fixture
def fast_forms(monkeypatch) -> None:
    """Render the consent form (PDF, Word) once per run and reuse the bytes.

    Many tests take consents through the real services but never look at the form;
    rendering it (fonts, layout) is most of a consent's cost. Form tests live elsewhere.
    """
    from hub.documents.render import consent_form

    for name in ("render_consent_pdf", "render_consent_docx"):
        real = getattr(consent_form, name)

        def cached(data, _real=real, _name=name):
            if _name not in _RENDERED:
                _RENDERED[_name] = _real(data)
            return _RENDERED[_name]

        monkeypatch.setattr(consent_form, name, cached)


@pytest.fixture
def demo_city(db: Session, config: Config, demo_data, fast_forms) -> None:
    """The demo with its consents, and the departments they cover added to the cases."""
    from hub.documents.consent import demo as consent_demo
    from hub.storage import Storage, bind

    bind(db, Storage.from_config(config))
    assert consent_demo.load(db)
    db.commit()


@pytest.fixture
def logged_in(client):
    """Return a function that logs the client in as a user and returns the client."""

    def do(user: User):
        response = login(client, user)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do
