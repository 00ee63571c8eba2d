"""The installed apps' own modules, found the way Django finds `admin` modules.

Core names no domain app: what runs each app's jobs or demo asks Django which apps are
installed (INSTALLED_APPS order, which is also the apps' dependency order) and imports
their `<app>.<name>` module where it exists.
"""

from __future__ import annotations

import sys
from types import ModuleType

from django.apps import apps
from django.utils.module_loading import autodiscover_modules


def app_modules(name: str) -> list[ModuleType]:
    """Every installed app's `<app>.<name>` module, in INSTALLED_APPS order."""
    autodiscover_modules(name)
    found = (sys.modules.get(f"{config.name}.{name}") for config in apps.get_app_configs())
    return [module for module in found if module is not None]
