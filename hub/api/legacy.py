"""The package APIs not yet moved into their packages (consents, hearing).

A plain blueprint, as before; it goes away as each package registers its own API.
"""

from flask import Blueprint

bp = Blueprint("api", __name__)

from hub.api import consents, hearing  # noqa: E402, F401
