"""The staff workbench: each app registers the screens it offers, with the roles that may
open them; /staff/ lists the screens of the signed-in user's roles.

Register in the app's AppConfig.ready():

    from govhall.org.workbench import Screen, register_screen
    register_screen(Screen(key="queue.console", title="窗口叫号", url_name="queueing:console",
                           roles={"clerk"}, description="叫号、受理、转办"))
"""

from __future__ import annotations

from dataclasses import dataclass, field

_SCREENS: dict[str, Screen] = {}


@dataclass(frozen=True)
class Screen:
    key: str
    title: str
    url_name: str
    roles: frozenset[str] | set[str] = field(default_factory=frozenset)
    description: str = ""
    order: int = 100
    # Heading the screen is listed under; empty: the app of url_name's namespace.
    group: str = ""


def register_screen(screen: Screen) -> None:
    _SCREENS[screen.key] = screen


def screens_for(roles: set[str] | frozenset[str], is_admin: bool = False) -> list[Screen]:
    visible = [s for s in _SCREENS.values() if is_admin or set(s.roles) & set(roles)]
    return sorted(visible, key=lambda s: (s.order, s.title))


def unregister_screen(key: str) -> None:
    _SCREENS.pop(key, None)
