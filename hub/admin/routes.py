"""Administration screens (filled in below)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
def index():
    """Placeholder until the admin screens land."""
    from flask import render_template

    return render_template("error.html", status=200, message="管理画面")
