"""Base class for credfile's management commands.

Commands speak the user's language and report a service's validation errors the way the
pages and the API do: one line per field, naming the field, with a non-zero exit code.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import sys
from collections.abc import Mapping
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# POSIX locale prefixes → the languages credfile ships.
_LOCALE_LANGUAGES = (
    ("zh_cn", "zh-hans"),
    ("zh_sg", "zh-hans"),
    ("zh_hans", "zh-hans"),
    ("en", "en"),
)


def _language_of(locale: str) -> str | None:
    value = locale.strip().lower()
    for prefix, language in _LOCALE_LANGUAGES:
        if value.startswith(prefix):
            return language
    return None


def command_language(environ: Mapping[str, str] | None = None) -> str:
    """The language for command output.

    CREDFILE_LANGUAGE wins; else the shell's choice as gettext reads it: the LANGUAGE list
    first (unless the locale is plain C), then the locale (LC_ALL, LC_MESSAGES, LANG, the
    first one set). A language credfile has no translation for falls back to the configured
    default.
    """
    env = os.environ if environ is None else environ
    supported = {code for code, _name in settings.LANGUAGES}
    configured = env.get("CREDFILE_LANGUAGE", "").strip().lower()
    if configured in supported:
        return configured
    locale = next(
        (v for v in (env.get(n, "").strip() for n in ("LC_ALL", "LC_MESSAGES", "LANG")) if v), ""
    )
    if locale.upper() not in {"C", "POSIX"}:
        for entry in env.get("LANGUAGE", "").split(":"):
            if language := _language_of(entry):
                return language
    return _language_of(locale) or str(settings.LANGUAGE_CODE)


def database_missing_tables() -> bool:
    """Whether the database has not been migrated to this version of credfile."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError:
        return True


def not_migrated_message() -> str:
    return _(
        "The database is not set up for this version of credfile. "
        "Run `credfile migrate` first, then try again."
    )


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


# Django's and argparse's own help texts (untranslated there), translated in our catalogue.
_COMMON_OPTIONS = {
    gettext_noop("show this help message and exit"),
    gettext_noop("Show program's version number and exit."),
    gettext_noop(
        "Verbosity level; 0=minimal output, 1=normal output, 2=verbose output, "
        "3=very verbose output"
    ),
    gettext_noop(
        'The Python path to a settings module, e.g. "myproject.settings.main". If this '
        "isn't provided, the DJANGO_SETTINGS_MODULE environment variable will be used."
    ),
    gettext_noop('A directory to add to the Python path, e.g. "/home/djangoprojects/myproject".'),
    gettext_noop("Display a full stack trace on CommandError exceptions."),
    gettext_noop("Don't colorize the command output."),
    gettext_noop("Force colorization of the command output."),
    gettext_noop("Skip system checks."),
}
_GROUP_TITLES = {gettext_noop("options"), gettext_noop("positional arguments")}


class _HelpFormatter(DjangoHelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


# argparse's own error messages (its gettext domain has no Chinese), matched and translated.
_ARGPARSE_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"the following arguments are required: (?P<args>.+)", re.S),
        gettext_noop("the following arguments are required: %(args)s"),
    ),
    (
        re.compile(r"argument (?P<argument>\S+?): (?P<message>.+)", re.S),
        gettext_noop("argument %(argument)s: %(message)s"),
    ),
    (
        re.compile(r"unrecognized arguments: (?P<args>.+)", re.S),
        gettext_noop("unrecognized arguments: %(args)s"),
    ),
    (
        re.compile(r"invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)", re.S),
        gettext_noop("invalid choice: %(value)s (choose from %(choices)s)"),
    ),
    (
        re.compile(r"invalid (?P<type>\S+) value: (?P<value>.+)", re.S),
        gettext_noop("invalid value: %(value)s"),
    ),
    (re.compile(r"expected one argument"), gettext_noop("expected one argument")),
]


def _argparse_message(message: str) -> str:
    for pattern, template in _ARGPARSE_ERRORS:
        match = pattern.fullmatch(message)
        if match:
            parts = match.groupdict()
            if "message" in parts:
                parts["message"] = _argparse_message(parts["message"])
            return _(template) % parts
    return message


class _LocalizedParser(CommandParser):
    """Django's command parser, reporting argument errors in the command's language."""

    # call_command parses outside execute(), so the language is chosen here too (the type
    # functions of arguments write their messages while parsing).
    def parse_known_args(self, *args: Any, **kwargs: Any) -> Any:
        with translation.override(command_language()):
            return super().parse_known_args(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        with translation.override(command_language()):
            message = _argparse_message(message)
            if self.called_from_command_line:
                self.print_usage(sys.stderr)
                text = _("%(prog)s: error: %(message)s") % {"prog": self.prog, "message": message}
                self.exit(2, text + "\n")
            raise CommandError(_("Error: %(message)s") % {"message": message})


def _localize(parser: CommandParser) -> None:
    # The parser is built by Django's create_parser; only its error reporting changes.
    parser.__class__ = _LocalizedParser
    # The options Django and argparse add to every command, in the same language.
    for action in parser._actions:
        if action.help in _COMMON_OPTIONS:
            action.help = _(action.help)
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                _localize(subparser)
    for group in parser._action_groups:
        if group.title in _GROUP_TITLES:
            group.title = _(group.title)


class LocalizedCommand(BaseCommand):
    """A command whose messages are translated and whose service errors are CommandErrors.

    Services are atomic, so a refused write leaves the database unchanged.
    """

    # Help texts and argument errors are written before execute(), so these run in the
    # command's language too.
    def run_from_argv(self, argv: list[str]) -> None:
        with translation.override(command_language()):
            super().run_from_argv(argv)

    def print_help(self, prog_name: str, subcommand: str) -> None:
        with translation.override(command_language()):
            super().print_help(prog_name, subcommand)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        with translation.override(command_language()):
            # A command's help is marked with gettext_noop and translated here.
            self.help = _(self.help) if self.help else self.help
            kwargs.setdefault("formatter_class", _HelpFormatter)
            parser = super().create_parser(prog_name, subcommand, **kwargs)
            _localize(parser)
            return parser

    def execute(self, *args: Any, **options: Any) -> str | None:
        with translation.override(command_language()):
            try:
                return super().execute(*args, **options)
            except ValidationError as exc:
                raise CommandError(validation_message(exc)) from exc
            except PermissionDenied as exc:
                raise CommandError(str(exc) or _("You may not do this.")) from exc
            except DatabaseError as exc:
                # A missing table on a fresh instance: say what to do, not a traceback.
                if database_missing_tables():
                    raise CommandError(not_migrated_message()) from exc
                raise


def as_of_date(value: str) -> datetime.date:
    """The --as-of option's date, or a CommandError naming it."""
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("--as-of: %(value)s is not a date (YYYY-MM-DD).") % {"value": value}
        ) from None
