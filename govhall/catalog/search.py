"""Chinese full-text search over service items.

Each item's `search_text` holds space-separated tokens: jieba search-mode words, character
bigrams and single characters of its name, keywords, department and material names.
`icontains` alone misses non-adjacent words (执照补领 → 营业执照遗失补领) and FTS5's trigram
tokenizer cannot find two-character words (社保), hence this scheme.

A query is cut into words (jieba, precise mode); every word must match, either as a token
or through all of its bigrams. SQLite answers through an FTS5 table kept in step with
catalog_serviceitem by triggers (migration 0003), and
PostgreSQL through `to_tsvector('simple', search_text)` with a GIN index; both tokenise the
stored text on whitespace, so the same tokens work for both.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import warnings
from collections.abc import Iterable
from pathlib import Path

from django.db import connection

USER_DICT = Path(__file__).with_name("userdict.txt")
FTS_TABLE = "catalog_item_fts"

_jieba_lock = threading.Lock()
_jieba = None
_WORD = re.compile(r"[0-9a-z]+|[\u3400-\u9fff]+")
_CJK = re.compile(r"[\u3400-\u9fff]+")


def _tokenizer():
    """jieba, loaded once per process (its dictionary load takes ~1 s and logs to stderr)."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                with warnings.catch_warnings():
                    # jieba's sources carry invalid escape sequences (noise on first compile)
                    warnings.simplefilter("ignore")
                    import jieba

                jieba.setLogLevel(logging.WARNING)
                logging.getLogger("jieba").setLevel(logging.WARNING)
                jieba.initialize()
                jieba.load_userdict(str(USER_DICT))
                _jieba = jieba
    return _jieba


def _clean(words: Iterable[str]) -> list[str]:
    out = []
    for w in words:
        out.extend(_WORD.findall(w.lower()))
    return out


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_tokens(*texts: str) -> str:
    """The search_text for an item: unique tokens separated by spaces."""
    jieba = _tokenizer()
    tokens: dict[str, None] = {}
    for text in texts:
        if not text:
            continue
        for token in _clean(jieba.cut_for_search(text)):
            tokens[token] = None
        for run in _CJK.findall(text):
            for gram in _bigrams(run):
                tokens[gram] = None
            for ch in run:
                tokens[ch] = None
    return " ".join(tokens)


@functools.lru_cache(maxsize=1024)
def query_terms(query: str) -> list[list[str]]:
    """Groups of alternatives: [[word, bigram-conjunction…], …]. Each group must match.

    Each group is a list whose first element is the word itself; the rest are its bigrams
    (all of which must match when the word itself is not a token).
    """
    jieba = _tokenizer()
    groups = []
    seen = set()
    for word in _clean(jieba.cut(query)):
        if word in seen:
            continue
        seen.add(word)
        groups.append([word, *(_bigrams(word) if len(word) > 2 and _CJK.fullmatch(word) else [])])
    return groups


def _fts5_query(groups: list[list[str]]) -> str:
    parts = []
    for word, *grams in groups:
        alt = f'"{word}"'
        if grams:
            both = " AND ".join(f'"{g}"' for g in grams)
            alt = f'("{word}" OR ({both}))'
        parts.append(alt)
    return " AND ".join(parts)


def _tsquery(groups: list[list[str]]) -> str:
    parts = []
    for word, *grams in groups:
        alt = word
        if grams:
            alt = f"({word} | ({' & '.join(grams)}))"
        parts.append(alt)
    return " & ".join(parts)


def matching_ids(query: str) -> list[int] | None:
    """Item ids matching the query, or None when the query has no searchable word."""
    groups = query_terms(query)
    if not groups:
        return None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT id FROM catalog_serviceitem "
                "WHERE to_tsvector('simple', search_text) @@ to_tsquery('simple', %s)",
                [_tsquery(groups)],
            )
        elif connection.vendor == "sqlite":
            cursor.execute(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [_fts5_query(groups)]
            )
        else:  # other databases: scan, fine for a catalog of a few thousand items
            return _scan(groups)
        return [row[0] for row in cursor.fetchall()]


def _scan(groups: list[list[str]]) -> list[int]:
    from govhall.catalog.models import ServiceItem

    ids = []
    for pk, text in ServiceItem.objects.values_list("id", "search_text"):
        tokens = set(text.split())
        if all(g[0] in tokens or (g[1:] and set(g[1:]) <= tokens) for g in groups):
            ids.append(pk)
    return ids


def rank(query: str, words: list[str], name: str, keywords: str) -> int:
    """Sort key (lower first): the whole query in the name, then query words in the name,
    then in the keywords."""
    in_name = sum(1 for w in words if w in name.lower())
    in_keywords = sum(1 for w in words if w in keywords.lower())
    return -(100 if query.strip() in name else 0) - in_name * 10 - in_keywords
