"""Every error code the hub can answer with is listed in the OpenAPI document.

The codes come from registries (the core's in hub.api.errors, each package's own) handed to
the document by the app factory; this test reads the source for every ``code="…"`` (and
``code = "…"`` of an error class) so that a new code without a registry entry fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

from hub.api.spec import document

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("hub", "documents", "mailbox", "scheduler")
_CODE = re.compile(r"\bcode\s*=\s*f?\"([a-z_{}]+)\"")
#: Codes made with a placeholder, and what they become.
TEMPLATES = {
    "duplicate_department_{column}": ("duplicate_department_code", "duplicate_department_name")
}


def _codes_in_source() -> set[str]:
    found: set[str] = set()
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            for code in _CODE.findall(path.read_text(encoding="utf-8")):
                found.update(TEMPLATES.get(code, (code,)))
    return found


def test_every_code_in_the_source_is_documented(app):
    documented = set(
        document(app)["components"]["schemas"]["ErrorBody"]["properties"]["code"]["enum"]
    )
    missing = sorted(_codes_in_source() - documented)
    assert missing == [], f"error codes without a registry entry (ERROR_CODES): {missing}"


def test_the_description_lists_the_codes(app):
    description = document(app)["info"]["description"]
    assert "`not_owner`" in description and "`invalid_input`" in description
