"""The 相談先 directory over the API, for administrators (as 管理 → 相談先 on the screens)."""

from __future__ import annotations

from flask import Response, url_for
from pydantic import BaseModel, Field

from hub.api.auth import api_user
from hub.api.blueprint import api_blueprint, errors
from hub.api.models import Query, respond
from hub.documents.printing import windows
from hub.documents.printing.schemas import AdminWindowList, AdminWindowOut, WindowInput
from hub.web import db

bp = api_blueprint("windows_api", __name__, "管理")


class WindowPath(BaseModel):
    window_id: int = Field(ge=1, description="相談先のID")


@bp.get("/admin/windows", responses={200: AdminWindowList, **errors(403)})
def list_windows(query: Query) -> Response:
    """Every 相談先, in use first (administrators only)."""
    found = windows.all_windows(db(), api_user())
    return respond(AdminWindowList(items=[AdminWindowOut.of(w) for w in found]))


@bp.post("/admin/windows", responses={201: AdminWindowOut, **errors(403)})
def create_window(body: WindowInput) -> Response:
    """Add a 相談先 to the directory the handout chooses from."""
    window = windows.create(db(), api_user(), body.model_dump())
    location = url_for(".show_window", window_id=window.id)
    return respond(AdminWindowOut.of(window), 201, location)


@bp.get("/admin/windows/<int:window_id>", responses={200: AdminWindowOut, **errors(403, 404)})
def show_window(path: WindowPath, query: Query) -> Response:
    """One 相談先."""
    return respond(AdminWindowOut.of(windows.get(db(), api_user(), path.window_id)))


@bp.put("/admin/windows/<int:window_id>", responses={200: AdminWindowOut, **errors(403, 404)})
def update_window(path: WindowPath, body: WindowInput) -> Response:
    """Replace a 相談先's fields (``is_active: false`` takes it out of use; never deleted)."""
    window = windows.update(db(), api_user(), path.window_id, body.model_dump())
    return respond(AdminWindowOut.of(window))
