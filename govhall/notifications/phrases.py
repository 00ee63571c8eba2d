"""The phone screen's phrases (A.3.5 on an outgoing call) may come from a phrase library
that a later app registers at start-up (notifications does not import it):
lookup(moment, context) -> (clause, text) or None; None keeps this app's own wording."""

from __future__ import annotations

from collections.abc import Callable

_library: Callable[[str, dict[str, str]], tuple[str, str] | None] | None = None


def register_library(lookup: Callable[[str, dict[str, str]], tuple[str, str] | None]) -> None:
    global _library
    _library = lookup


def library_phrase(moment: str, context: dict[str, str]) -> tuple[str, str] | None:
    return _library(moment, context) if _library is not None else None
