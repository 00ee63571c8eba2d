from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "govhall.documents"
    label = "documents"
    verbose_name = "文书"
