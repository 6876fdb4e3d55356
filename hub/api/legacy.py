"""The package APIs not yet moved into their packages (hearing, mailbox).

A plain blueprint, as before; it goes away as each package registers its own API.
"""

from flask import Blueprint

bp = Blueprint("api", __name__)

from hub.api import hearing, mailbox  # noqa: E402, F401
