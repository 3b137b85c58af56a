"""A running demo marketplace shared by the HTTP tests of this folder."""

import pytest

from demo.testing import running_market


@pytest.fixture(scope="session")
def market():
    """A well-behaved market (no faults, no rate limit) for reading pages."""
    with running_market(seed=1) as running:
        yield running
