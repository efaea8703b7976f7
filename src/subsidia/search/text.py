"""French text analysis for the search, the same for indexing, querying and highlighting on every database.

A text is NFC-normalised, lower-cased, stripped of its accents (NFKD, combining marks dropped, ligatures such as
« œ » spelled out), cut into words (runs of letters and digits), rid of the Snowball French stop words (the
list PostgreSQL ships as ``french.stop``, in ``data/french_stop.txt``, compared without accents) and stemmed
with the Snowball French stemmer. « Intégration », « integration », « intégrer » and « intégrée » all give
``integr``; « associations » and « association » give ``associ``. Accents go before stemming, so that a word
typed without them always gives the same stem as with them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path

import snowballstemmer

# Words longer than this are not indexed (nor matched): no real word is, and PostgreSQL caps lexemes too.
MAX_WORD_LENGTH = 60
WORD = re.compile(r"[^\W_]+")
# A word in the original text, combining accents included (the text is NFC-normalised first).
ORIGINAL_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ẞ": "ss", "ø": "o", "Ø": "o",
                           "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "\u0131": "i"})


def strip_accents(text: str) -> str:
    """Lower-case ``text`` without accents: « Élève Œuvre » → « eleve oeuvre »."""
    decomposed = unicodedata.normalize("NFKD", text.translate(LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.category(c).startswith("M")).lower()


@cache
def stop_words() -> frozenset[str]:
    """The French stop words, without accents."""
    path = Path(__file__).with_name("data") / "french_stop.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(strip_accents(line.strip()) for line in lines if line.strip() and not line.startswith("#"))


@cache
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("french")


# Without its accents, a feminine past participle ("intégrée" → "integree") escapes the stemmer's "-ée" rule:
# spelled "integre" it is stemmed like "intégré" and "intègre".
PARTICIPLE_EE = re.compile(r"(?<=[a-z])ee(s?)$")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The Snowball French stem of a word already lower-cased and without accents."""
    return str(_stemmer().stemWord(PARTICIPLE_EE.sub(r"e\1", word)))


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased and without accents (stop words included)."""
    return WORD.findall(strip_accents(unicodedata.normalize("NFC", text or "")))


def stems_of_word(word: str) -> Iterator[str]:
    """The stems of one word of an original text (usually one; a word with a ligature or a symbol may give
    several), stop words and over-long words left out."""
    stops = stop_words()
    for token in WORD.findall(strip_accents(word)):
        if token not in stops and len(token) <= MAX_WORD_LENGTH:
            yield stem(token)


def stems(text: str) -> list[str]:
    """The stems of ``text`` in order, stop words left out: what the index stores and a query looks for."""
    stops = stop_words()
    return [stem(w) for w in words(text) if w not in stops and len(w) <= MAX_WORD_LENGTH]


def query_stems(query: str) -> list[str]:
    """The distinct stems of a query, in order."""
    return list(dict.fromkeys(stems(query)))
