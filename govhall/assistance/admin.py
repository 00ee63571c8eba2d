"""Admin of assistance: read-only registers and configuration, by subject beside this file."""

from govhall.assistance import admin_special  # noqa: F401
from govhall.assistance.admin_proxy import *  # noqa: F403
