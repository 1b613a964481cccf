"""Base class for credfile's management commands.

Commands speak the user's language and report a service's validation errors the way the
pages and the API do: one line per field, naming the field, with a non-zero exit code.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

# POSIX locale prefixes → the languages credfile ships.
_LOCALE_LANGUAGES = (
    ("zh_cn", "zh-hans"),
    ("zh_sg", "zh-hans"),
    ("zh_hans", "zh-hans"),
    ("en", "en"),
)


def command_language(environ: dict[str, str] | None = None) -> str:
    """The language for command output.

    CREDFILE_LANGUAGE wins; else the locale the shell announces (LC_ALL overrides LANG, as in
    POSIX); a locale credfile has no translation for falls back to the configured default.
    """
    env = os.environ if environ is None else environ
    supported = {code for code, _name in settings.LANGUAGES}
    configured = env.get("CREDFILE_LANGUAGE", "").strip().lower()
    if configured in supported:
        return configured
    for variable in ("LC_ALL", "LANG"):
        value = env.get(variable, "").strip().lower()
        if not value:
            continue
        for prefix, language in _LOCALE_LANGUAGES:
            if value.startswith(prefix):
                return language
        break
    return str(settings.LANGUAGE_CODE)


def validation_message(error: ValidationError) -> str:
    """'field: message' lines, in the order the service reported them."""
    if hasattr(error, "error_dict"):
        lines = []
        for field, errors in error.error_dict.items():
            for item in errors:
                for message in item.messages:
                    lines.append(message if field == "__all__" else f"{field}: {message}")
        return "\n".join(lines)
    return "\n".join(str(m) for m in error.messages)


class LocalizedCommand(BaseCommand):
    """A command whose messages are translated and whose service errors are CommandErrors.

    Services are atomic, so a refused write leaves the database unchanged.
    """

    def execute(self, *args: Any, **options: Any) -> str | None:
        with translation.override(command_language()):
            try:
                return super().execute(*args, **options)
            except ValidationError as exc:
                raise CommandError(validation_message(exc)) from exc
            except PermissionDenied as exc:
                raise CommandError(str(exc) or _("You may not do this.")) from exc
