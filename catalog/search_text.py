"""How search compares words, the same on every database: folding and trigram similarity.

The databases only propose candidates (SQLite's FTS5 trigram index, PostgreSQL's full
text and pg_trgm); these functions decide what matches and how well, so that a query
finds the same titles, people and genres in the same order on both.

`fold` is also the function SQLite's search index is built with (registered on every
connection as `marquee_fold`): the index and the query are folded alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Letters that carry no combining mark to strip, folded as PostgreSQL's unaccent folds them.
_LETTERS = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
    }
)
_WORD = re.compile(r"[^\W_]+")

# What a query may hold: a longer one is cut (nobody types a paragraph into the box).
MAX_QUERY_CHARS = 100
MAX_WORDS = 8

EXACT = 1.0
PREFIX = 0.9  # a word still being typed: "thund" for "thunder"
INFLECTED = 0.85  # "lighthouses" for "lighthouse"
INFIX = 0.8  # "hund" inside "thunder" (SQLite's trigram index finds these)
# Below this a word is a full match; from LOOK_ALIKE up to it, a look-alike (a typo).
FULL = INFIX
LOOK_ALIKE = 0.4


def fold(text: str | None) -> str | None:
    """Lower case without accents: "Malmö" and "MALMO" both become "malmo"."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def query_clean(query: str) -> str:
    """The query as shown back: no NUL (PostgreSQL refuses it), spaces collapsed, cut."""
    return " ".join(query.replace("\x00", " ").split())[:MAX_QUERY_CHARS]


def words(text: str) -> list[str]:
    """The folded words of a text, each once, in order; punctuation separates words."""
    return list(dict.fromkeys(_WORD.findall(fold(text) or "")))


def query_words(query: str) -> list[str]:
    return words(query)[:MAX_WORDS]


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: padded with two spaces before and one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity of two words: shared trigrams over all trigrams, 0 to 1."""
    left, right = trigrams(a), trigrams(b)
    return len(left & right) / len(left | right)


def word_score(word: str, candidates: Sequence[str]) -> float:
    """How well one query word is matched by the best of a text's words."""
    best = 0.0
    for candidate in candidates:
        if candidate == word:
            return EXACT
        if candidate.startswith(word):
            score = PREFIX
        elif len(candidate) >= 4 and word.startswith(candidate):
            score = INFLECTED
        elif len(word) >= 3 and word in candidate:
            score = INFIX
        else:
            score = similarity(word, candidate)
        best = max(best, score)
    return best


@dataclass(frozen=True)
class Match:
    """How a text matches a query: `full` when every word is there (exactly, as a prefix
    or inside a word), otherwise a look-alike; `score` is 0 to 1 (2 for the whole text)."""

    full: bool
    score: float


def text_match(query: Sequence[str], text: str) -> Match | None:
    """How the folded query words match a text, or None when one of them is missing."""
    if not query:
        return None
    text_words = words(text)
    scores = [word_score(word, text_words) for word in query]
    if min(scores) < LOOK_ALIKE:
        return None
    score = sum(scores) / len(scores)
    full = min(scores) >= FULL
    if full and list(query) == text_words:
        score += EXACT  # the whole name, as typed: what the searcher meant
    return Match(full=full, score=score)


def fts5_phrase(text: str) -> str:
    """A string for an FTS5 query, quoted so that no character is query syntax."""
    return '"' + text.replace('"', '""') + '"'


def fts5_all_words(query: Sequence[str]) -> str | None:
    """Every word of three letters or more, anywhere, in any order (the trigram index
    cannot look for shorter ones); None when no word is that long."""
    long_words = [fts5_phrase(word) for word in query if len(word) >= 3]
    return " AND ".join(long_words) or None


def fts5_any_trigram(query: Sequence[str], column: str) -> str | None:
    """Any trigram of the words in one column: the candidates for a typo, which share
    most of their trigrams with what was meant (ranked by bm25)."""
    grams = dict.fromkeys(
        word[i : i + 3] for word in query if len(word) >= 3 for i in range(len(word) - 2)
    )
    if not grams:
        return None
    return f"{column} : ({' OR '.join(fts5_phrase(gram) for gram in grams)})"
