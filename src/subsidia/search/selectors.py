"""The search: matching, ranking and highlighting, with the same results in the same order on SQLite and PostgreSQL.

1. The query is analysed like the indexed text (text.py): its distinct French stems, stop words left out.
2. The database's full-text index finds the candidate entries: FTS5 on SQLite (over the stems), the French
   ``tsvector`` on PostgreSQL (``plainto_tsquery('french', …)`` of the stems). Both find at least every entry
   that holds all the query's stems (see index.py).
3. Python keeps the entries that hold every stem of the query (AND) in their title, summary or body, and scores
   them with one formula: for each query stem and each field holding it, the field's weight (title 100,
   summary 30, body 10) plus a tenth of it for each further occurrence (at most ten). A title match thus ranks
   above any body-only match, and a stem found in more fields ranks higher. Ties: the more recent date first,
   then the kind (in the order of :class:`SearchKind`), then the object's id.

Everything in the index is public, so the search is the same for everyone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString

from .highlight import highlight, snippet
from .index import FTS_TABLE, TABLE
from .models import SearchEntry, SearchKind
from .providers import providers
from .text import query_stems

MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 12
FIELD_WEIGHTS = (("title_stems", 100), ("summary_stems", 30), ("body_stems", 10))
KIND_ORDER = {kind: position for position, kind in enumerate(SearchKind.values)}


@dataclass(frozen=True)
class Hit:
    kind: str
    kind_label: str
    title: str
    title_html: SafeString
    url: str
    snippet_html: SafeString
    date: date | None
    object_id: int
    score: int
    is_example: bool = False


@dataclass
class SearchResults:
    query: str
    terms: list[str]
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    counts_by_kind: dict[str, int] = field(default_factory=dict)
    page: int = 1
    per_page: int = 20
    # When nothing matches every word: each word alone, with how many results it would give.
    suggestions: list[tuple[str, int]] = field(default_factory=list)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def only_common_words(self) -> bool:
        """The query had words, but only stop words ("le", "de", …)."""
        return bool(self.query.strip()) and not self.terms


def _candidates(terms: list[str]) -> QuerySet[SearchEntry]:
    """Entries the database's full-text index finds for these stems (a superset of the final matches)."""
    entries = SearchEntry.objects.all()
    if connection.vendor == "sqlite":
        match = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
        return entries.filter(id__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S611,S608
                                            [match]))
    if connection.vendor == "postgresql":
        # A query whose stems are all French stop words for PostgreSQL is empty: then every entry is a candidate.
        return entries.filter(id__in=RawSQL(  # noqa: S611 - constant table name, the stems are parameters
            f"SELECT e.id FROM {TABLE} e, plainto_tsquery('french', %s) q "  # noqa: S608
            "WHERE e.vector @@ q OR numnode(q) = 0", [" ".join(terms)]))
    return entries  # another engine: Python decides alone


def _score(entry: dict[str, Any], terms: list[str]) -> int | None:
    """The entry's score, or None if a query stem is in none of its fields."""
    fields = [(Counter(entry[name].split()), weight) for name, weight in FIELD_WEIGHTS]
    score = 0
    for term in terms:
        found = False
        for counts, weight in fields:
            occurrences = counts.get(term, 0)
            if occurrences:
                found = True
                score += weight + weight * min(occurrences - 1, 10) // 10
        if not found:
            return None
    return score


def _sort_key(row: tuple[int, dict[str, Any]]) -> tuple[int, int, int, int, int]:
    score, entry = row
    day: date | None = entry["date"]
    return (-score, 0 if day else 1, -day.toordinal() if day else 0, KIND_ORDER.get(entry["kind"], 99),
            entry["object_id"])


def _ranked(terms: list[str]) -> list[tuple[int, dict[str, Any]]]:
    rows = _candidates(terms).values("id", "kind", "object_id", "date", *(name for name, _w in FIELD_WEIGHTS))
    scored = [(score, row) for row in rows if (score := _score(row, terms)) is not None]
    return sorted(scored, key=_sort_key)


def _hit(entry: SearchEntry, score: int, terms: set[str]) -> Hit:
    return Hit(
        kind=entry.kind, kind_label=str(SearchKind(entry.kind).label), title=entry.title,
        title_html=highlight(entry.title, terms), url=providers()[entry.kind].url(entry),
        snippet_html=snippet([entry.summary, entry.body], terms), date=entry.date, object_id=entry.object_id,
        score=score, is_example=entry.is_example,
    )


def search(query: str, *, kinds: set[str] | None = None, page: int = 1, per_page: int = 20) -> SearchResults:
    """The public search: entries holding every French stem of ``query``, best first, optionally of some
    ``kinds`` only (``counts_by_kind`` counts all kinds), page ``page`` of ``per_page`` hits (none past the
    last page)."""
    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    terms = query_stems(query)[:MAX_QUERY_TERMS]
    results = SearchResults(query=query, terms=terms, page=max(1, page), per_page=max(1, per_page))
    if not terms:
        return results
    ranked = _ranked(terms)
    results.counts_by_kind = {kind: n for kind in SearchKind.values
                              if (n := sum(1 for _s, e in ranked if e["kind"] == kind))}
    if kinds:
        ranked = [(s, e) for s, e in ranked if e["kind"] in kinds]
    results.total = len(ranked)
    start = (results.page - 1) * results.per_page
    shown = ranked[start:start + results.per_page]
    entries = SearchEntry.objects.in_bulk([e["id"] for _s, e in shown])
    term_set = set(terms)
    results.hits = [_hit(entries[e["id"]], score, term_set) for score, e in shown if e["id"] in entries]
    if not results.total and len(terms) > 1:
        results.suggestions = _suggestions(query, kinds)
    return results


def _suggestions(query: str, kinds: set[str] | None) -> list[tuple[str, int]]:
    """Each word of the query that finds something alone, with its number of results."""
    suggestions = []
    seen: set[str] = set()
    for word in query.split():
        terms = query_stems(word)
        if len(terms) != 1 or terms[0] in seen:
            continue
        seen.add(terms[0])
        count = sum(1 for _s, e in _ranked(terms) if not kinds or e["kind"] in kinds)
        if count:
            suggestions.append((word, count))
    return suggestions
