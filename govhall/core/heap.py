"""Keeping Python's full garbage collections short in the long-running processes.

A gunicorn worker holds some 110,000 objects of Django, govhall and the libraries, nearly
all of them for the life of the process. Python's oldest-generation collection walks every
one of them, and does so every few seconds under load (requests leave some reference
cycles behind): 65–140 ms on these 2-core machines, during which the whole process stands
still — and when a thread of it holds SQLite's only write lock at that moment, every
writer of every process waits too (bench/queue_load.py: the slow requests came in bursts
on all 32 connections at once, at the full collections). `gc.freeze()` moves the objects
that exist by then into a permanent generation no collection walks; collections then only
look at what requests made since, about 2 ms.

What the first requests load (URL resolvers, compiled templates, schemas, the database
connection) is frozen too: a second freeze after `WARMUP_REQUESTS` requests. Frozen objects
are never collected, so each freeze runs one full collection first: cycles that are garbage
by then are freed, not kept for the life of the process.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Callable, Iterable
from typing import Any

WARMUP_REQUESTS = 200

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def freeze_long_lived() -> int:
    """Collect what is garbage now, then freeze every object that is left; returns how
    many objects the collector no longer walks."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def freezing_after_warmup(application: WSGIApp, requests: int = WARMUP_REQUESTS) -> WSGIApp:
    """`application` with the process's heap frozen now (what importing made) and again
    once `requests` requests have started (what serving them loaded)."""
    freeze_long_lived()
    started = itertools.count(1)  # next() on it is atomic under the GIL: one thread sees N

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if next(started) == requests:
            freeze_long_lived()
        return application(environ, start_response)

    return wsgi
