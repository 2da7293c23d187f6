from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "onward.documents"
    label = "documents"
    verbose_name = "Documents"
