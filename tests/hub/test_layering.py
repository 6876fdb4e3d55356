"""The core of the hub imports none of the packages: only the app factory and the CLI wire
them (DESIGN.md §7). The same check as the issue's grep of hub/ for the package names."""

from __future__ import annotations

import re
from pathlib import Path

import hub

PACKAGES = re.compile(r"hub\.(documents|mailbox|scheduler|meetings|reports)")
#: The two places that wire the packages into the hub.
WIRING = {"app.py", "cli.py"}


def test_only_the_factory_and_the_cli_name_the_packages():
    root = Path(hub.__file__).parent
    found = [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for path in sorted(root.rglob("*.py"))
        if str(path.relative_to(root)) not in WIRING
        # The packages are installed inside hub/ (package-dir): skip them, not the core.
        and not {
            "documents",
            "mailbox",
            "scheduler",
            "meetings",
            "reports",
            "migrations",
            "templates",
        }
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


#: ``from hub.x import a, _b`` (also inside parentheses): a private name taken from another module.
PRIVATE_IMPORT = re.compile(r"from hub(?:\.\w+)+ import (?:\([^)]*?|[^(\n]*?)(?<![\w.])_[a-z]\w*")


def test_no_module_imports_another_modules_private_names():
    import hub.documents
    import hub.mailbox
    import hub.meetings
    import hub.reports
    import hub.scheduler

    roots = {
        Path(p)
        for pkg in (hub, hub.documents, hub.mailbox, hub.scheduler, hub.meetings, hub.reports)
        for p in pkg.__path__
    }
    found = [
        f"{path}: {match.group(0)!r}"
        for root in sorted(roots)
        for path in sorted(root.rglob("*.py"))
        if "migrations" not in path.parts
        for match in PRIVATE_IMPORT.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "private names imported across modules:\n" + "\n".join(found)


def test_the_private_import_check_bites():
    assert PRIVATE_IMPORT.search("from hub.mailbox.inbox import _audited, awaiting_answer")
    assert PRIVATE_IMPORT.search("from hub.jp import (\n    fold,\n    _spaces,\n)")
    assert not PRIVATE_IMPORT.search("from hub.mailbox.inbox import audited_list, require_worker")
    assert not PRIVATE_IMPORT.search("from __future__ import annotations")
