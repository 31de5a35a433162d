"""Fixtures for the insatser tests (their helpers are in tests/helpers.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def plan(world):
    return world["plan_a"]
