"""Duplicate detection engine: plain Python, plain data in and out, no Django.

Pipeline: normalise names (``names``) -> prepare column arrays (``prepare``) -> blocking on
several keys (``blocking``) -> field agreement levels (``compare``) -> Fellegi–Sunter model
with u from random pairs and m, lambda by EM (``model``) -> constrained clustering
(``cluster``).  Entry points live in ``api``.
"""

from .api import (
    DedupIndex,
    DedupResult,
    Match,
    ScoredPair,
    adapt_model,
    build_index,
    cluster,
    dedup,
    find_pairs,
    model_from_dict,
    model_to_dict,
    top_matches,
)
from .model import DEFAULT_REVIEW_THRESHOLD, DEFAULT_THRESHOLD
from .names import name_key, name_similarity, name_tokens, normalise
from .records import PERSON_COLUMNS, Person, parse_birth_date

__all__ = [
    "DEFAULT_REVIEW_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "PERSON_COLUMNS",
    "DedupIndex",
    "DedupResult",
    "Match",
    "Person",
    "ScoredPair",
    "adapt_model",
    "build_index",
    "cluster",
    "dedup",
    "find_pairs",
    "model_from_dict",
    "model_to_dict",
    "name_key",
    "name_similarity",
    "name_tokens",
    "normalise",
    "parse_birth_date",
    "top_matches",
]
