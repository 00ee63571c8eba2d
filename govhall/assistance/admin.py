"""Admin of assistance: read-only registers by subject (帮办与代办 in admin_proxy.py)."""

from govhall.assistance.admin_proxy import *  # noqa: F403
