"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hub.db import Base

#: SQLite only: the FTS5 trigram index of messages.search_text (migration 0006) and the shadow
#: tables FTS5 keeps for it. A virtual table has no model; everything else is compared.
SQLITE_SEARCH_TABLES = {
    "messages_search",
    *(f"messages_search_{part}" for part in ("data", "idx", "docsize", "config", "content")),
}


def _compared(name, type_, parent_names) -> bool:
    return not (type_ == "table" and name in SQLITE_SEARCH_TABLES)


# SQLite cannot reflect an expression index; the one the models name (PostgreSQL's search index
# of the doubled text, hub.mailbox.models.search_pairs, created on PostgreSQL only) is compared
# on PostgreSQL, where it exists.
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index "
    "'ix_messages_search'; dialect 'sqlite'"
)
def test_migrated_schema_matches_the_models(database):
    with database.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": _compared}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
