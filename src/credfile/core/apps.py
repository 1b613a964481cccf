from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "credfile.core"
    label = "core"
    verbose_name = "credfile core"
