from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "govhall.documents"
    label = "documents"
    verbose_name = "文书"

    def ready(self) -> None:
        from govhall.documents import checks  # noqa: F401
