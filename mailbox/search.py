"""Inbox search: which messages hold every word, and how an index finds them first.

``messages.search_text`` (subject, body, resident name, kana and 宛名番号, folded with
:func:`hub.jp.fold`) must contain every word of the query; that LIKE decides. Before the inbox
is read, an index narrows the candidates: on SQLite the FTS5 trigram table ``messages_search``
(kept by triggers, migration 0006), on PostgreSQL the ``pg_trgm`` GIN index
``ix_messages_search`` of the text and of the text with every character doubled
(:func:`hub.mailbox.models.search_pairs`, migration 0014): a word of three characters or more
is looked up in the first, a word of two (a name part such as モリ) in the second, and one
index scan intersects them. SQLite's trigram table cannot look up a word under three
characters, nor PostgreSQL's index a single character; such words are only checked on the
rows the longer words found.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    any_,
    bindparam,
    false,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import ARRAY

from hub import jp
from hub.mailbox.models import Delivery, Message, search_pairs


def words(q: str) -> list[str]:
    return [jp.fold(w) for w in re.split(r"[\s\u3000]+", q) if jp.fold(w)]


def word_condition(word: str, dialect: str) -> Any:
    """``search_text`` holds ``word`` (a substring; % and _ are plain characters)."""
    if dialect == "postgresql" and len(word) < 3:
        # The trigram index cannot look up a word under three characters (モリ): as LIKE the
        # planner would read the whole index for it; as strpos() it leaves the index to the
        # longer words and checks this one on the rows they find.
        return func.strpos(Message.search_text, word) > 0
    return Message.search_text.contains(word, autoescape=True)


#: SQLite's FTS5 trigram index of messages.search_text (migration 0006, kept by triggers).
SQLITE_SEARCH_TABLE = "messages_search"


def _sqlite(words: list[str]) -> Any:
    """Narrow a search on SQLite to the messages the trigram index finds for every word.

    Each word of three characters or more is a phrase of the FTS5 trigram index (a substring,
    looked up in the index alone); shorter words cannot be looked up by trigrams. The LIKE on
    ``messages.search_text`` still decides, so the answer is the same with or without this
    narrowing, only found without reading every row of the inbox.
    """
    usable = [w for w in words if len(w) >= 3]
    if not usable:
        return None
    phrases = " AND ".join('"' + w.replace('"', '""') + '"' for w in usable)
    found: Select[Any] = (
        select(literal_column("rowid"))
        .select_from(table(SQLITE_SEARCH_TABLE))
        .where(literal_column(SQLITE_SEARCH_TABLE).op("MATCH")(phrases))
    )
    return Delivery.message_id.in_(found)


#: On PostgreSQL a search first asks the trigram index which messages hold every word; up to
#: this many, the inbox is read for those messages only (a rare name: a few index probes).
#: More means a common word, which the walk down the inbox meets soon enough.
SEARCH_CANDIDATES = 5000


def pairs(word: str) -> str:
    """The word with every character doubled, as the PostgreSQL index holds the text."""
    return "".join(ch * 2 for ch in word)


def _indexed(connection: Any) -> bool:
    """Whether the search index exists (not without pg_trgm); asked once per connection.

    Without it the doubled text would be computed for every message: then the plain LIKE on
    ``search_text`` is the cheaper way to find the candidates.
    """
    key = "tsunagu.search_index"
    if key not in connection.info:
        found = connection.execute(
            select(literal_column("1"))
            .select_from(table("pg_indexes"))
            .where(literal_column("indexname") == "ix_messages_search")
        ).first()
        connection.info[key] = found is not None
    return bool(connection.info[key])


def _postgres(connection: Any, words: list[str]) -> Any:
    """Narrow a search on PostgreSQL to the messages the trigram index finds, when few.

    Without this the planner may walk the department's whole inbox for a rare name, or join
    every message holding a common given name; counting the candidates first decides. A word
    of two characters is looked up in the doubled text (a full name ｱﾍﾞ ﾕﾐ or ｺﾝﾄﾞｳ ﾕﾐ is one
    scan of the index, not a read of every message holding ユミ); the LIKE on
    ``messages.search_text`` still decides what matches.
    """
    indexed = _indexed(connection)
    pairs_only = [w for w in words if len(w) == 2]
    # A lone two-character word (a surname such as モリ) is common: its thousands of messages
    # are not worth listing first; the walk down the inbox meets them soon enough.
    if not any(len(w) >= 3 for w in words) and not (indexed and len(pairs_only) >= 2):
        return None
    holding = [
        search_pairs(Message.search_text).contains(pairs(w), autoescape=True)
        if indexed and len(w) == 2
        else word_condition(w, "postgresql")
        for w in words
    ]
    found = connection.scalars(
        select(Message.id).where(*holding).limit(SEARCH_CANDIDATES + 1)
    ).all()
    if len(found) > SEARCH_CANDIDATES:
        return None
    if not found:
        return false()
    return Delivery.message_id == any_(bindparam("candidates", list(found), ARRAY(Integer)))


def narrowing(connection: Any, q: str) -> Any:
    """A condition on deliveries that an index answers, found before the inbox is read."""
    found = words(q)
    if not found:
        return None
    if connection.dialect.name == "sqlite":
        return _sqlite(found)
    if connection.dialect.name == "postgresql":
        return _postgres(connection, found)
    return None
