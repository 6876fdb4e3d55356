"""Access fixtures: the shared city of tests/city.py with bound storage."""

from __future__ import annotations

import pytest
from city import City, bind_storage, build_city


@pytest.fixture
def city(db, config, make_department, make_user, make_resident, make_case) -> City:
    bind_storage(db, config)
    return build_city(db, make_department, make_user, make_resident, make_case)
