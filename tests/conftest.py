"""Fixtures: `aligner` (one Aligner with the default model for the session), `seed_alignment`
(the 10th-meeting pair aligned with it, the model running for real) and `artifacts` (tests/artifacts/).

Plain helpers and path constants are in helpers.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aligner import Aligner
from helpers import ARTIFACTS, EN_SEED, JA_SEED


@pytest.fixture(scope="session")
def aligner():
    return Aligner()


@pytest.fixture(scope="session")
def seed_alignment(aligner):
    """The 10th-meeting pair aligned with the default settings (the model runs for real)."""
    return aligner.align_files(JA_SEED, EN_SEED)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """tests/artifacts/ (git-ignored): screenshots and files the run keeps for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
