"""Per-process memory of rows every request needs (tokens, scopes, centers, windows…).

Each process keeps what it read for a few seconds instead of asking the database on every
request. Saving or deleting a watched model clears the memory at once in the process that
made the change (signals); other processes and servers follow when their entries expire.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save


class ProcessCache:
    """`get(key, load)`: the value loaded for `key` less than `seconds` ago, else `load()`.

    `seconds` is a number or the name of a setting (read at each lookup, so it can be
    changed while running; 0 turns the cache off)."""

    def __init__(
        self,
        name: str,
        *,
        seconds: float | str,
        default_seconds: float = 5.0,
        max_entries: int = 10_000,
        clear_on: tuple[type | str, ...] = (),
    ) -> None:
        self.name = name
        self._seconds = seconds
        self._default = default_seconds
        self._max = max_entries
        self._values: dict[Hashable, tuple[float, Any]] = {}
        for sender in clear_on:
            uid = f"process-cache-{name}-{sender}"
            post_save.connect(self.clear, sender=sender, dispatch_uid=uid, weak=False)
            post_delete.connect(self.clear, sender=sender, dispatch_uid=f"{uid}-d", weak=False)

    def ttl(self) -> float:
        if isinstance(self._seconds, str):
            return float(getattr(settings, self._seconds, self._default))
        return float(self._seconds)

    def get(
        self,
        key: Hashable,
        load: Callable[[], Any],
        *,
        still_valid: Callable[[Any], bool] | None = None,
    ) -> Any:
        now = time.monotonic()
        hit = self._values.get(key)
        fresh = hit is not None and now - hit[0] < self.ttl()
        if fresh and (still_valid is None or still_valid(hit[1])):
            return hit[1]
        value = load()
        if len(self._values) >= self._max:
            self._values.clear()
        self._values[key] = (now, value)
        return value

    def clear(self, **_kwargs: Any) -> None:
        self._values.clear()
