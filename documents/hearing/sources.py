"""Where a new version started from: a sheet another department shared, carried by the form.

The edit form of a sheet pre-filled from a shared copy carries a signed note (itsdangerous,
for this user, this case, one day) saying where it came from; the saved version keeps the note
(``HearingSheet.source_note``), so a reader sees that its figures began as another
department's. A forged or stale note is dropped, never saved.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "hearing.source"
MAX_AGE = 24 * 60 * 60


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def sign(secret_key: str, note: str, case_id: int, user_id: int) -> str:
    """Seal ``note`` for the form of one user editing one case's sheet."""
    return _serializer(secret_key).dumps({"note": note[:500], "case": case_id, "user": user_id})


def read(secret_key: str, token: str, case_id: int, user_id: int) -> str:
    """The note sealed in ``token`` for this user and case, or "" for anything else."""
    if not token:
        return ""
    try:
        data = _serializer(secret_key).loads(token, max_age=MAX_AGE)
    except BadSignature:
        return ""
    if not isinstance(data, dict) or (data.get("case"), data.get("user")) != (case_id, user_id):
        return ""
    note = data.get("note")
    return note if isinstance(note, str) else ""
