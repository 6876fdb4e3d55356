"""Fixtures: every database test runs on SQLite and, when configured, on PostgreSQL.

``TSUNAGU_TEST_POSTGRES_URL`` enables the PostgreSQL run; ``TSUNAGU_CHROMIUM`` (or
/usr/bin/chromium) enables browser tests. With ``TSUNAGU_REQUIRE_ALL=1`` a group that cannot run
fails instead of being skipped.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from hub import demo, jp, migrate
from hub.auth.passwords import hasher_for
from hub.config import Config
from hub.db import Base, Database
from hub.models import Case, CaseDepartment, Department, DepartmentKind, Resident, Role, User

PG_URL = os.environ.get("TSUNAGU_TEST_POSTGRES_URL", "")
REQUIRE_ALL = os.environ.get("TSUNAGU_REQUIRE_ALL") == "1"
PASSWORD = "correct-horse-battery"  # noqa: S105
_skipped_groups: dict[str, str] = {}


def unavailable(group: str, reason: str) -> None:
    """Skip a group that cannot run here, or fail when every group is required (CI)."""
    message = f"{group} tests cannot run: {reason}"
    if REQUIRE_ALL:
        pytest.fail(message + " (TSUNAGU_REQUIRE_ALL=1)")
    _skipped_groups[group] = reason
    pytest.skip(message)


def pytest_terminal_summary(terminalreporter) -> None:
    if _skipped_groups:
        terminalreporter.section("groups skipped")
        for group, reason in sorted(_skipped_groups.items()):
            terminalreporter.write_line(f"{group}: skipped — {reason}")


def _reset_schema(database: Database) -> None:
    with database.engine.begin() as conn:
        if database.is_sqlite:
            Base.metadata.drop_all(conn)
        else:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(request, tmp_path_factory) -> Iterator[Database]:
    """A migrated database per backend for the whole run."""
    if request.param == "postgresql":
        if not PG_URL:
            unavailable("postgresql", "TSUNAGU_TEST_POSTGRES_URL is not set")
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    database = Database(url)
    _reset_schema(database)
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


@pytest.fixture
def app(config: Config, db: Session):
    from hub.app import create_app

    application = create_app(config)
    yield application
    application.extensions["tsunagu.db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def with_config(config: Config, **changes) -> Config:
    return dataclasses.replace(config, **changes)


# ---------------------------------------------------------------- factories


@pytest.fixture
def make_department(db: Session) -> Callable[..., Department]:
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, kind: DepartmentKind = DepartmentKind.COLLECTION, code: str | None = None) -> Department:
        n = next(counter)
        dept = Department(code=code or f"dept{n}", name=name or f"テスト課{n}", kind=kind)
        db.add(dept)
        db.commit()
        return dept

    return make


@pytest.fixture
def make_user(db: Session, hasher, make_department) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(role: Role = Role.STAFF, department: Department | None = None, login_id: str | None = None,
             password: str = PASSWORD, **extra) -> User:
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

    def make(name: str = "山田 太郎", kana: str = "ヤマダ タロウ", department: Department | None = None,
             atena_no: str | None = None, **extra) -> Resident:
        dept = department or make_department()
        resident = Resident(atena_no=atena_no or f"{9000000000 + next(counter)}", name=name, kana=kana,
                            name_key=jp.fold(name), kana_key=jp.fold(kana),
                            created_by_department_id=dept.id, **extra)
        db.add(resident)
        db.commit()
        return resident

    return make


@pytest.fixture
def make_case(db: Session, make_resident, make_user) -> Callable[..., Case]:
    def make(resident: Resident | None = None, lead: Department | None = None,
             departments: list[Department] = (), summary: str = "") -> Case:
        author = make_user(department=lead) if lead else make_user()
        lead_dept = author.department
        resident = resident or make_resident(department=lead_dept)
        case = Case(resident=resident, lead_department_id=lead_dept.id, created_by_id=author.id,
                    summary=summary)
        for dept_id in {lead_dept.id, *(d.id for d in departments)}:
            case.involvements.append(CaseDepartment(department_id=dept_id, added_by_id=author.id))
        db.add(case)
        db.commit()
        return case

    return make


@pytest.fixture
def demo_data(db: Session, hasher) -> None:
    demo.load(db, hasher)
    db.commit()


# ---------------------------------------------------------------- web helpers

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    """Read the CSRF token a form page carries."""
    page = client.get(path)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} (status {page.status_code})"
    return match.group(1)


def login(client, user: User | str, password: str = PASSWORD):
    """Log a test client in through the real login form; return the response."""
    login_id = user if isinstance(user, str) else user.login_id
    token = csrf_token(client, "/login")
    return client.post("/login", data={"login_id": login_id, "password": password, "csrf_token": token})


def post_form(client, path: str, data: dict | None = None, form_page: str = "/account", **kwargs):
    """POST a form with a valid CSRF token taken from a page of the logged-in session."""
    payload = dict(data or {})
    payload["csrf_token"] = csrf_token(client, form_page)
    return client.post(path, data=payload, **kwargs)


@pytest.fixture
def logged_in(client):
    """Return a function that logs the client in as a user and returns the client."""

    def do(user: User):
        response = login(client, user)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do
