from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "govhall.catalog"
    label = "catalog"
    verbose_name = "事项目录与公开"

    def ready(self) -> None:
        from govhall.catalog import checks  # noqa: F401
