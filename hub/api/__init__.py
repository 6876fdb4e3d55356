"""The JSON API under /api/v1, authenticated by per-user bearer tokens.

Routes live in the modules imported at the bottom; each one loads, lets a service check
access, and serialises explicitly. ``openapi.py`` documents every route, and a test keeps the
document and the URL map in step.
"""

from flask import Blueprint

bp = Blueprint("api", __name__)

# The modules attach their routes and hooks to ``bp``, so they are imported after it exists.
from hub.api import (  # noqa: E402
    admin,
    auth,
    cases,
    consents,
    consents_doc,
    hearing,
    mailbox,
    mailbox_doc,
    openapi,
    reference,
    residents,
)

__all__ = [
    "admin",
    "auth",
    "bp",
    "cases",
    "consents",
    "consents_doc",
    "hearing",
    "mailbox",
    "mailbox_doc",
    "openapi",
    "reference",
    "residents",
]
