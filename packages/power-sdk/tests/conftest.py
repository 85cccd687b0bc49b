"""Fixtures shared by power-sdk's tests."""

from __future__ import annotations

import pytest

from .pki import Pki, make_pki


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A CA, a broker certificate for 127.0.0.1 and a device .pfx (password ``PASSWORD``)."""
    return make_pki(tmp_path_factory.mktemp("pki"))
