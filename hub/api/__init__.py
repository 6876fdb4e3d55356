"""The JSON API under /api/v1, authenticated by per-user bearer tokens."""

from flask import Blueprint

bp = Blueprint("api", __name__)
