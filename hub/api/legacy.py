"""The package API not yet moved into its package (the mailbox).

A plain blueprint, as before; it goes away as each package registers its own API.
"""

from flask import Blueprint

bp = Blueprint("api", __name__)

from hub.api import mailbox  # noqa: E402, F401
