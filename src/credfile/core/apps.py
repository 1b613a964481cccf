from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "credfile.core"
    label = "core"
    verbose_name = "credfile core"

    def ready(self) -> None:
        # Imported for their side effects: the middleware module connects the receiver that
        # starts the session clock at sign-in; checks registers the encryption key check;
        # converters registers the bounded `id` path converter every URL conf uses.
        from credfile.core import (
            checks,  # noqa: F401
            converters,  # noqa: F401
            middleware,  # noqa: F401
        )
