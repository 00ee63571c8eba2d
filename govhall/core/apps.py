from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "govhall.core"
    label = "core"
    verbose_name = "系统内核"

    def ready(self) -> None:
        from govhall.core import checks, permission_names, signals  # noqa: F401

        permission_names.connect()
