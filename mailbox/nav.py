"""The mailbox's links in the header: 連絡 with the unread count, 承認 for managers, 通知."""

from __future__ import annotations

from flask import request, url_for
from sqlalchemy.orm import Session

from hub.mailbox.presenters import nav_counts
from hub.models import Role, User
from hub.panels import NavLink, nav_count_words

#: Pages of the mailbox blueprint that have a link of their own (not 連絡).
_OWN_LINKS = {"mailbox.approvals", "mailbox.notifications"}


def nav_links(session: Session, user: User) -> list[NavLink]:
    """The links for a case worker (none for administrators)."""
    counts = nav_counts(session, user)
    if counts is None:
        return []
    endpoint = request.endpoint or ""
    links = [
        NavLink(
            "連絡",
            url_for("mailbox.inbox_page"),
            counts.unread,
            f"連絡（未読{nav_count_words(counts.unread)}）",
            current=request.blueprint == "mailbox" and endpoint not in _OWN_LINKS,
        )
    ]
    if user.role == Role.MANAGER:
        links.append(
            NavLink(
                "承認",
                url_for("mailbox.approvals"),
                counts.approvals,
                f"承認待ち（{nav_count_words(counts.approvals)}）",
                current=endpoint == "mailbox.approvals",
                warn=True,
            )
        )
    links.append(
        NavLink(
            "通知",
            url_for("mailbox.notifications"),
            counts.notifications,
            f"通知（未読{nav_count_words(counts.notifications)}）",
            place="user",
            current=endpoint == "mailbox.notifications",
        )
    )
    return links
