"""Shared paths and helpers for the ragulator Python tests."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType

import pytest

import ragulator

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "childrens-social-care"
FIXTURES = Path(os.environ.get("RAGULATOR_FIXTURES", REPO / "tests" / "fixtures"))
CI = os.environ.get("CI", "").lower() == "true"


def need(module: str) -> ModuleType:
    """Imports an optional test dependency: a skip locally, a failure under CI=true."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        if CI:
            pytest.fail(f"{module} is required under CI=true: {e}")
        pytest.skip(f"{module} is not installed")
        raise  # unreachable: keeps type checkers happy


@pytest.fixture(scope="session")
def example() -> ragulator.Scorecard:
    return ragulator.Scorecard.from_file(EXAMPLE / "scorecard.toml")


TARGET_CARD = """
ragulator = 1
name = "Test card"
[[theme]]
id = "t"
name = "Theme <T> & co"
[[indicator]]
id = "re_referrals"
name = "Re-referrals within 12 months"
theme = "t"
unit = "percent"
polarity = "lower_is_better"
decimals = 1
target = 20
rag = { rule = "target", amber = 2 }
[[indicator]]
id = "visits"
name = "Visits in time"
theme = "t"
unit = "percent"
polarity = "higher_is_better"
decimals = 1
target = 85
rag = { rule = "target", amber = 5 }
"""


@pytest.fixture(scope="session")
def card() -> ragulator.Scorecard:
    return ragulator.Scorecard.from_toml(TARGET_CARD)
