from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "credfile.core"
    label = "core"
    verbose_name = "credfile core"

    def ready(self) -> None:
        # Connects the receiver that starts the session clock at sign-in.
        from credfile.core import middleware  # noqa: F401

        # Registers the start-up check that the encryption key is present.
        from credfile.core import checks  # noqa: F401
