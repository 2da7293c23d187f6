"""Matching engine: the best assignment of waiting cases to pledged places.

Plain Python (numpy + HiGHS), no Django: plain data in, plain data out.
"""

from .model import UNASSIGNED, Explanation, Problem, Result, WarmStart, relative_gap
from .plan import check
from .solve import solve

__all__ = [
    "UNASSIGNED",
    "Explanation",
    "Problem",
    "Result",
    "WarmStart",
    "check",
    "relative_gap",
    "solve",
]
