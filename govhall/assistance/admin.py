"""Admin of the assistance app; each area's admin lives beside it by subject."""

from govhall.assistance import admin_special  # noqa: F401
