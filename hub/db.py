"""Database: declarative base, engine and sessions shared by the web app, the CLI and jobs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, ClassVar, cast
from weakref import WeakKeyDictionary

from sqlalchemy import DateTime, Integer, MetaData, Select, bindparam, create_engine, event
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Store UTC without zone, hand back aware UTC datetimes, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar = {datetime: UTCDateTime()}


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


#: On SQLite, whether the transactions begun in this context defer the write lock: a GET's
#: reads run in a read transaction (WAL: never waiting on a writer) and its audit events are
#: written afterwards in a short transaction of their own (hub.web). Everything else — POSTs,
#: jobs, the CLI — begins with BEGIN IMMEDIATE.
DEFERRED_READS: ContextVar[bool] = ContextVar("tsunagu_sqlite_deferred_reads", default=False)


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine; SQLite gets foreign keys, a busy timeout and serialised writers."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS}, **kwargs)
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, pool_recycle=POOL_RECYCLE_SECONDS, **kwargs)
    _check_liveness_locally(engine)
    return engine


#: A pooled PostgreSQL connection is replaced after this long (server or proxy idle limits).
POOL_RECYCLE_SECONDS = 1800


def _check_liveness_locally(engine: Engine) -> None:
    """At checkout, drop a connection the driver already knows is closed or broken — without
    a round trip to the server per request, as ``pool_pre_ping`` would make."""

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn, _record, _proxy):  # pragma: no cover - trivial
        if getattr(dbapi_conn, "closed", False) or getattr(dbapi_conn, "broken", False):
            raise DisconnectionError("connection closed or broken")


#: How long SQLite waits for its write lock (busy timeout), and this process's writers for
#: their turn (:class:`WriterTurns`), before a write gives up.
SQLITE_BUSY_SECONDS = 30


class WriterTurns:
    """This process's SQLite writers wait for their turn here, before ``BEGIN IMMEDIATE``.

    SQLite has one write lock per file, and a connection that finds it taken polls: its busy
    handler sleeps 1, 2, 5 … up to 100 ms between tries, so a write queued behind others waits
    for the next poll after the lock is free, and tens of requests at once queue unfairly
    (seconds at the tail). In one process the writers instead queue on a lock of their own,
    handed on as soon as the holder commits or rolls back; SQLite's own lock, and its busy
    timeout, still serialise this process with others (the scheduler, the CLI).
    """

    HELD = "tsunagu_writer_turn"

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def take(self, info: dict[str, Any]) -> None:
        # After the busy timeout the write goes on without its turn: SQLite then answers for it.
        info[self.HELD] = self._lock.acquire(timeout=SQLITE_BUSY_SECONDS)

    def give_back(self, info: dict[str, Any] | None) -> None:
        if info is not None and info.pop(self.HELD, False):
            self._lock.release()

    @property
    def taken(self) -> bool:
        """Whether a writer of this process holds the turn now."""
        return self._lock.locked()


def _info_of(dbapi_conn: Any) -> dict[str, Any] | None:
    """A pooled connection's info (None for the dialect's own first connection, or a raw one)."""
    try:
        return dbapi_conn.info
    except (AttributeError, NotImplementedError):
        return None


_TURNS: WeakKeyDictionary[Engine, WriterTurns] = WeakKeyDictionary()


def writer_turns(engine: Engine) -> WriterTurns | None:
    """The turns of a SQLite engine's writers in this process (None on PostgreSQL)."""
    return _TURNS.get(engine)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN; take it over so that a transaction that
    # will write starts with BEGIN IMMEDIATE (no upgrade from a stale read snapshot), and a
    # GET's reads with a plain BEGIN (DEFERRED_READS).
    turns = _TURNS[engine] = WriterTurns()
    dialect = engine.dialect
    plain_commit, plain_rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(dbapi_conn: Any) -> None:
        try:
            plain_commit(dbapi_conn)
        finally:
            turns.give_back(_info_of(dbapi_conn))

    def do_rollback(dbapi_conn: Any) -> None:
        try:
            plain_rollback(dbapi_conn)
        finally:
            turns.give_back(_info_of(dbapi_conn))

    # The engine's own dialect (the pool resets returned connections through it too).
    dialect.do_commit = do_commit  # type: ignore[method-assign, assignment]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign, assignment]

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn, record):  # pragma: no cover - a safety net
        turns.give_back(record.info)

    @event.listens_for(engine, "invalidate")
    def _on_invalidate(_dbapi_conn, record, _exc):  # pragma: no cover - a safety net
        turns.give_back(record.info)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - trivial
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - trivial
        if DEFERRED_READS.get():
            conn.exec_driver_sql("BEGIN")
            return
        turns.take(conn.connection.info)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            turns.give_back(conn.connection.info)
            raise


def insert_or_ignore(session: Session, model: type) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` for the session's backend (SQLite, PostgreSQL).

    The jobs' done marks: a row another process already wrote is skipped, not an error,
    and ``RETURNING`` tells which rows this transaction really wrote.
    """
    from sqlalchemy.dialects import postgresql, sqlite

    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model).on_conflict_do_nothing()
    return sqlite.insert(model).on_conflict_do_nothing()


def row_limit(value: int | str) -> Any:
    """A LIMIT written into the statement's text, not sent as a parameter: an int, or the
    name of a value given at execution (``session.execute(query, {"size": 51})``).

    PostgreSQL plans a prepared statement once (its generic plan) only while that plan's
    estimate stays near the plans it makes per call. With the LIMIT a parameter, the generic
    plan is estimated for an unknown number of rows; on a large inbox it then looks twice as
    dear, and the server plans every call anew — more of its time than running the query
    (docs/architecture.md, 「Units of work」). The statement's text then differs per value:
    use it where the values are few (a page size, a cap).
    """
    if isinstance(value, str):
        return bindparam(value, type_=Integer, literal_execute=True)
    return bindparam(None, value, type_=Integer, literal_execute=True)


def count_rows(session: Session, statement: Select[Any]) -> int:
    """The number a ``SELECT count(...)`` gives (an aggregate always has one row)."""
    return int(session.execute(statement).scalar_one())


def changed_rows(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE and say how many rows it changed."""
    result = session.execute(statement)
    return int(cast(CursorResult[Any], result).rowcount)


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


class Database:
    """An engine and its session factory, bound to one configuration."""

    def __init__(self, url: str, **engine_kwargs) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self) -> Session:
        return self.sessionmaker()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield a session; commit on success, roll back (keeping denial audits) on error."""
        session = self.session()
        try:
            yield session
        except BaseException:
            finish(session, ok=False)
            raise
        else:
            finish(session, ok=True)
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def finish(session: Session, *, ok: bool) -> None:
    """End a unit of work: commit it, or roll it back but keep audit events that must survive.

    A denied access or a failed login is recorded even though the request that caused it
    fails; :func:`hub.audit.record` marks such events to be kept. A service that must keep
    its writes although it raises (the failed-login counter) sets ``commit_on_failure``;
    a write that must stand although the request is refused is registered with
    :func:`redo_after_rollback` and done again after the rollback.
    """
    redo = session.info.pop(REDO_AFTER_ROLLBACK, [])
    if ok or session.info.pop("commit_on_failure", False):
        session.commit()
        return
    from hub import audit  # local: audit imports the models, which import this module

    kept = session.info.pop("audit_keep", [])
    audit.forget_pending(session)
    session.rollback()
    if kept or redo:
        audit.restore(session, kept)
        for again in redo:
            again(session)
        session.info.pop(REDO_AFTER_ROLLBACK, None)
        session.commit()


#: session.info key: callables ``f(session)`` to run again after the unit of work is rolled
#: back, because what they wrote must stand although the request fails (a recall found while
#: refusing a download: the refusal is a 409, the recall is a fact). They must be idempotent.
REDO_AFTER_ROLLBACK = "redo_after_rollback"


def redo_after_rollback(session: Session, again: Callable[[Session], object]) -> None:
    """Have :func:`finish` run ``again`` in a fresh transaction if this one is rolled back."""
    session.info.setdefault(REDO_AFTER_ROLLBACK, []).append(again)
