import numpy as np
import pytest

from aligner.embed import COMBINED_MODEL, DEFAULT_MODEL, RememberingEmbedder, coverage_warning, load_embedder
from aligner.errors import UsageError

PAIRS = [
    ("両国は、G20大阪サミットの機会における「大阪トラック」プロセスの立ち上げに留意した。",
     "Both countries noted the launch of the “Osaka Track” process at the sideline of the G20 Osaka Summit."),
    ("次回局長級会合は2020年末頃に開催する予定である。",
     "The next director general-level meeting is scheduled to be held by around the end of 2020."),
    ("猫が窓辺で眠っている。", "A cat is sleeping by the window."),
]


def test_bundled_model_puts_translations_nearest_each_other(aligner):
    embedder = aligner.embedder  # the session's, loaded once
    assert embedder.name == DEFAULT_MODEL
    ja = embedder.embed([p[0] for p in PAIRS])
    en = embedder.embed([p[1] for p in PAIRS])
    assert ja.shape == (3, 512) and np.allclose(np.linalg.norm(ja, axis=1), 1.0, atol=1e-4)
    similarity = ja @ en.T
    assert list(similarity.argmax(axis=1)) == [0, 1, 2]


def test_a_language_the_default_model_does_not_know_is_named_with_the_model_that_does():
    warning = coverage_warning(DEFAULT_MODEL, ["is-IS", "en"])
    assert warning and "not trained on 'is'" in warning and f"--model {COMBINED_MODEL}" in warning
    assert "'en'" not in warning.split("(")[0]
    assert coverage_warning(DEFAULT_MODEL, ["ja", "en-US"]) is None
    assert coverage_warning(DEFAULT_MODEL, ["zh-TW", "de"]) is None
    assert coverage_warning(COMBINED_MODEL, ["is", "en"]) is None  # e5 knows Icelandic


def test_unknown_model_name_lists_the_choices():
    with pytest.raises(UsageError, match="choose one of"):
        load_embedder("labse")


def test_sentence_transformers_path_loads_a_real_local_model(tmp_path):
    """The st: loading path with a real model that a package ships (no hub, no mock)."""
    from all_minilm_l6_v2 import extract_model

    model_dir = extract_model(str(tmp_path))
    embedder = load_embedder(f"st:{model_dir}")
    vectors = embedder.embed(["A cat sleeps by the window.", "A cat is sleeping near the window.", "Tax rates rose."])
    assert embedder.name == f"st:{model_dir}"
    assert vectors.shape == (3, 384)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_combined_model_averages_the_cosines_of_its_parts():
    texts = ["日米インターネットエコノミー対話が開催されました。", "The U.S.-Japan Internet Economy dialogue was held.",
             "京都の寺は古い。"]
    combined = load_embedder(COMBINED_MODEL, threads=1)
    use, e5 = (part.embed(texts) for part in combined.parts)
    vectors = combined.embed(texts)
    assert vectors.shape == (3, use.shape[1] + e5.shape[1])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors @ vectors.T, (use @ use.T + e5 @ e5.T) / 2, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_remembering_embedder_embeds_each_text_once_and_returns_the_same_vectors(aligner):
    model = aligner.embedder
    asked: list[str] = []

    class Counting:
        name = model.name

        def embed(self, texts):
            asked.extend(texts)
            return model.embed(texts)

    remembering = RememberingEmbedder(Counting())
    ja, en = PAIRS[0]
    first = remembering.embed([ja, en, ja])
    second = remembering.embed([en, PAIRS[2][0]])
    assert asked == [ja, en, PAIRS[2][0]]  # the repeated and the already seen texts are not embedded again
    assert remembering.name == model.name
    np.testing.assert_allclose(first, model.embed([ja, en, ja]), atol=1e-5)
    np.testing.assert_array_equal(second[0], first[1])
