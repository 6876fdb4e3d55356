"""The core of the hub imports none of the packages: only the app factory and the CLI wire
them (DESIGN.md §7). The same check as the issue's grep of hub/ for the package names."""

from __future__ import annotations

import re
from pathlib import Path

import hub

PACKAGES = re.compile(r"hub\.(documents|mailbox|scheduler|meetings)")
#: The two places that wire the packages into the hub.
WIRING = {"app.py", "cli.py"}


def test_only_the_factory_and_the_cli_name_the_packages():
    root = Path(hub.__file__).parent
    found = [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for path in sorted(root.rglob("*.py"))
        if str(path.relative_to(root)) not in WIRING
        # The packages are installed inside hub/ (package-dir): skip them, not the core.
        and not {"documents", "mailbox", "scheduler", "meetings", "migrations", "templates"}
        & set(path.relative_to(root).parts[:1])
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PACKAGES.search(line)
    ]
    assert found == [], "the core names a package:\n" + "\n".join(found)


def test_the_check_finds_a_core_module_that_imports_a_package(tmp_path):
    """Proves the pattern bites: an import line of a package is found."""
    assert PACKAGES.search("from hub.mailbox import send")
    assert PACKAGES.search("import hub.documents.consent.gate")
    assert not PACKAGES.search("from hub.cases import services")
