"""PostgreSQL: no round trip per request to check a pooled connection; a connection the server
closed (a restart, an idle limit) costs no failed page — the read runs again on a fresh one."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from helpers import login


@pytest.mark.only_backend("postgresql")
def test_a_page_survives_the_server_closing_its_pooled_connection(app, database, make_user):
    user = make_user()
    client = app.test_client()
    assert login(client, user).status_code == 302
    engine = app.extensions["tsunagu.db"].engine
    pings: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        if statement.strip().upper() in ("SELECT 1", "SELECT 1;"):
            pings.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        assert client.get("/").status_code == 200
        assert pings == []  # no pre-ping round trip
        # The server ends every connection of the app's pool (as a restart would).
        with database.engine.connect() as admin:
            admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            admin.commit()
        database.engine.dispose()  # the test's own pool: fresh connections for its teardown
        assert client.get("/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listen)
