from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "credfile.monitoring"
    label = "monitoring"
    verbose_name = "credfile monitoring"
