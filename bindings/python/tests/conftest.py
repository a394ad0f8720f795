"""conftest.py -- shared fixtures of the binding's tests.

The tests run against the library RAYPOLICY_LIBRARY names (tests/python/
check-python.sh points it at the build's libraypolicy.so.0) and read their
data from the source tree this file is in.
"""
import pathlib

import pytest

import raypolicy

TOP = pathlib.Path(__file__).resolve().parents[3]
DATA = TOP / "tests" / "data"


@pytest.fixture
def top() -> pathlib.Path:
    return TOP


@pytest.fixture
def data() -> pathlib.Path:
    return DATA


@pytest.fixture
def cel():
    """The cel profile with variables x and y."""
    with raypolicy.Env("cel", variables=["x", "y"]) as env:
        yield env


@pytest.fixture
def ext():
    """The extended profile (optionals, Kubernetes libraries, cel-go extras)."""
    with raypolicy.Env("extended", variables=["x"]) as env:
        yield env


@pytest.fixture
def demo_pack():
    with raypolicy.load_pack(DATA / "packs" / "demo.yaml") as pack:
        yield pack
