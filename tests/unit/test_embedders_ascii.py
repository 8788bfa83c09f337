"""The hashed n-gram embedder against a plain-Python reference: the NumPy
paths (the ASCII table path and the general Unicode path) must give exactly
the vectors the definition gives, text by text, in any batch."""

from __future__ import annotations

import random
import unicodedata

import numpy as np
import pytest

from sync_search.embedders import HashedNgrams

MASK = (1 << 64) - 1
M1 = 0x9E3779B97F4A7C15


def is_separator(char: str) -> bool:
    code = ord(char)
    if code < 0xC0:
        return not (char.isascii() and char.isalnum()) and code not in (0xAA, 0xB5, 0xBA)
    return 0x2000 <= code <= 0x206F or 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFF0F


def reference(text: str, dim: int, ngrams: tuple[int, ...]) -> np.ndarray:
    """The embedder's definition, one text, one n-gram at a time."""
    folded = text.casefold()
    if not folded.isascii():
        folded = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    words = "".join(" " if is_separator(c) else c for c in folded).split(" ")
    normal = " " + " ".join(w for w in words if w) + " "
    if normal == "  ":
        normal = " "
    counts = np.zeros((dim, 2), dtype=np.int64)
    for n in ngrams:
        for start in range(len(normal) - n + 1):
            h = 0
            for offset, char in enumerate(normal[start:start + n]):
                if offset and offset % 3 == 0:
                    h = (h * M1) & MASK
                h ^= ord(char) << (21 * (offset % 3))
            h = (h * (M1 + 2 * n)) & MASK
            counts[((h >> 32) * dim) >> 32, (h >> 50) & 1] += 1
    signed = (counts[:, 0] - counts[:, 1]).astype(np.float32)[None, :]
    vector = np.sqrt(np.abs(signed))
    np.copysign(vector, signed, out=vector)
    norm = np.linalg.norm(vector, axis=1, keepdims=True)
    np.divide(vector, norm, out=vector, where=norm > 0)
    return vector[0]


EDGES = ["", " ", "a", "ab", "!!!", "x  y", "Hello, World! 42x", "\t\n\x00tab\x7fdel", "UPPER lower 123",
         "a-b_c.d", "ßtraße", "Crème brûlée — café", "東京 タワー", "naïve\u2014dash", "ok"]


def corpus(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ 0123456789 .,;:!?'\"-_()\n\t"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120))) for _ in range(count)]


@pytest.mark.parametrize("ngrams", [(3,), (1, 2, 3), (2,), (4,)])
def test_every_path_gives_the_vectors_of_the_definition(ngrams: tuple[int, ...]) -> None:
    embedder = HashedNgrams(64, ngrams)
    texts = EDGES + corpus(seed=7, count=200)
    batch = embedder.embed(texts)
    for i, text in enumerate(texts):
        assert np.array_equal(batch[i], reference(text, 64, ngrams)), repr(text)


def test_ascii_and_unicode_texts_in_one_batch_keep_their_order() -> None:
    embedder = HashedNgrams(256)
    texts = ["café au lait", "plain ascii", "", "Ünïcödé", "more ascii text", "東京"]
    batch = embedder.embed(texts)
    for i, text in enumerate(texts):
        assert np.array_equal(batch[i], embedder.embed([text])[0]), text
        assert np.array_equal(batch[i], reference(text, 256, (3,))), text
