"""The records fixture of the public-method tests (``odoo`` comes from tests/conftest.py)."""

import pytest
from records import Records


@pytest.fixture(scope="module")
def records(odoo):
    return Records(odoo)
