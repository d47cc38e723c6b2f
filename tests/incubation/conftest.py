import pytest

from tests.incubation.lifecycle_support import LifecycleWorld


@pytest.fixture
def project(world):
    """A started project: with its draft agreement (World), or signed (LifecycleWorld)."""
    if isinstance(world, LifecycleWorld):
        return world.signed_project()
    return world.incubating()


@pytest.fixture
def fund(world):
    return world.call.fund
