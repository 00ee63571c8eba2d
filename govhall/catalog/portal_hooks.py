"""Sections apps below the catalog add to the portal's center and item pages (e.g. the
assistance app's green channel, 6.7.3), registered from their AppConfig.ready(): the
catalog imports no app below it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PortalSection:
    """A titled list of lines shown on a portal page."""

    title: str
    lines: list[str] = field(default_factory=list)
    anchor: str = ""


_center_sections: list[Callable[[Any], PortalSection | None]] = []
_item_sections: list[Callable[[Any], PortalSection | None]] = []


def register_center_section(fn: Callable[[Any], PortalSection | None]) -> None:
    """fn(center) → a section for the center's portal home page, or None."""
    if fn not in _center_sections:
        _center_sections.append(fn)


def register_item_section(fn: Callable[[Any], PortalSection | None]) -> None:
    """fn(item) → a section for the item's guide page, or None."""
    if fn not in _item_sections:
        _item_sections.append(fn)


def center_sections(center: Any) -> list[PortalSection]:
    return [s for s in (fn(center) for fn in _center_sections) if s is not None and s.lines]


def item_sections(item: Any) -> list[PortalSection]:
    return [s for s in (fn(item) for fn in _item_sections) if s is not None and s.lines]
