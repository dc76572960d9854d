"""Shared fixtures: the real seed documents and one real alignment of the 10th-meeting pair."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpora" / "seeds"
JA_SEED = SEEDS / "ied10-mic-ja.txt"
EN_SEED = SEEDS / "ied10-meti-en.txt"
TMX_DTD = Path(__file__).resolve().parent / "data" / "tmx14.dtd"


@pytest.fixture(scope="session")
def aligner():
    from aligner import Aligner

    return Aligner()


@pytest.fixture(scope="session")
def seed_alignment(aligner):
    """The 10th-meeting pair aligned with the default settings (the model runs for real)."""
    return aligner.align_files(JA_SEED, EN_SEED)
