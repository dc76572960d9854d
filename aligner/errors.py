"""Errors that reach the user as one line on stderr, never as a traceback.

Every error names the file it is about and says how to fix the problem, because
the person reading it is a translator running a batch, not a Python developer.
The exit status follows SPEC.md: 1 for a failed run, 2 for a usage error.
"""

from __future__ import annotations

from pathlib import Path


class AlignerError(Exception):
    """A problem the user can fix; the CLI prints it and exits with `exit_code`."""

    exit_code = 1

    def __init__(self, message: str, path: str | Path | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class InputError(AlignerError):
    """An input document cannot be read, decoded or segmented."""


class OutputError(AlignerError):
    """An output file cannot be written."""


class ModelError(AlignerError):
    """The embedding model cannot be loaded."""


class UsageError(AlignerError):
    """Bad command-line arguments or options."""

    exit_code = 2
