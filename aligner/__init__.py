"""aligner: sentence alignment of a document and its translation, and translation memories from it.

Library use::

    from aligner import align
    result = align("statement-ja.txt", "statement-en.html")
    for bead in result.translation_units():
        print(bead.score, *result.bead_texts(bead))

For many pairs, build one `Aligner` (it loads the model once) and call
`Aligner.align_files` for each. Writers: `write_tmx`, `write_report`, `write_beads`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("aligner")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

from .config import AlignConfig  # noqa: E402
from .data import Alignment, Bead, Document, Segment, SegmentedDocument  # noqa: E402
from .errors import AlignerError, InputError, ModelError, OutputError, UsageError  # noqa: E402
from .pipeline import Aligner, align  # noqa: E402
from .beads import write_beads  # noqa: E402
from .report import write_report  # noqa: E402
from .tmx import write_tmx  # noqa: E402

__all__ = [
    "AlignConfig", "Aligner", "AlignerError", "Alignment", "Bead", "Document", "InputError", "ModelError",
    "OutputError", "Segment", "SegmentedDocument", "UsageError", "__version__", "align", "write_beads",
    "write_report", "write_tmx",
]
