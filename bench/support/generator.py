"""bench/mailbox.py's data generator as a module, for the HTTP benchmarks.

Imported by path: as ``mailbox`` its name would shadow the standard library's.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent.parent


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_mailbox", BENCH / "mailbox.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
