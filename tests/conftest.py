"""Shared fixtures: the real seed documents and one real alignment of the 10th-meeting pair."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable

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


ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """tests/artifacts/ (git-ignored): screenshots and files the run keeps for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def ensure_debian_packages(probes: dict[str, Callable[[], bool]], purpose: str) -> None:
    """Install the Debian packages whose probe fails, or skip the calling test saying why.

    The browser and OmegaT tests need programs that pip cannot install. As root
    with apt-get (a developer's machine or CI here) they are installed on first
    use, so a fresh clone's `make test` runs these tests instead of skipping them.
    """
    missing = [package for package, present in probes.items() if not present()]
    if not missing:
        return
    command = " ".join(["apt-get install -y", *missing])
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.skip(f"{purpose} need the Debian packages {', '.join(missing)}, which are missing; "
                    f"install them with `sudo {command}` (not root or no apt-get here)")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "-o", "DPkg::Lock::Timeout=600", *missing]
    result = subprocess.run(install, capture_output=True, text=True, env=environment)
    if result.returncode != 0:  # a fresh machine has no package lists yet
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, env=environment)
        result = subprocess.run(install, capture_output=True, text=True, env=environment)
    still_missing = [package for package in missing if not probes[package]()]
    if still_missing:
        reason = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no message"]
        pytest.skip(f"{purpose} need the Debian packages {', '.join(still_missing)}, "
                    f"and `{command}` failed: {reason[0]}")
