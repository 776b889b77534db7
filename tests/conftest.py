import pytest

from tests.builders import build_tree


@pytest.fixture
def tree(db):
    return build_tree()
