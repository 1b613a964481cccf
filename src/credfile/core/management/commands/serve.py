"""`credfile serve`: the production web server (gunicorn) for credfile."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.db import connections
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from credfile.core.commands import LocalizedCommand, database_missing_tables, not_migrated_message


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def _not_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(LocalizedCommand):
    help = gettext_noop(
        "Serve credfile with gunicorn (the CREDFILE_SERVE_* settings; options override them)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            action="append",
            help=_("Address to listen on, HOST:PORT or unix:PATH; repeat for several."),
        )
        parser.add_argument("--workers", type=_positive, help=_("Worker processes."))
        parser.add_argument("--threads", type=_positive, help=_("Threads per worker."))
        parser.add_argument(
            "--timeout",
            type=_positive,
            help=_("Seconds a request may take before its worker is restarted."),
        )
        parser.add_argument(
            "--graceful-timeout",
            type=_positive,
            help=_("Seconds the workers have to finish their requests when stopping."),
        )
        parser.add_argument(
            "--max-requests",
            type=_not_negative,
            help=_("Restart a worker after this many requests (0: never)."),
        )
        parser.add_argument(
            "--access-log",
            action="store_true",
            default=None,
            help=_("Write an access log line per request to standard output."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from credfile.core.serve import ServeOptions, serve

        if database_missing_tables():
            raise CommandError(not_migrated_message())
        serve_options = ServeOptions(
            bind=options["bind"] or [str(settings.CREDFILE_SERVE_BIND)],
            workers=options["workers"] or int(settings.CREDFILE_SERVE_WORKERS),
            threads=options["threads"] or int(settings.CREDFILE_SERVE_THREADS),
            timeout=options["timeout"] or int(settings.CREDFILE_SERVE_TIMEOUT),
            graceful_timeout=options["graceful_timeout"]
            or int(settings.CREDFILE_SERVE_GRACEFUL_TIMEOUT),
            max_requests=(
                int(settings.CREDFILE_SERVE_MAX_REQUESTS)
                if options["max_requests"] is None
                else options["max_requests"]
            ),
            access_log=bool(
                settings.CREDFILE_SERVE_ACCESS_LOG
                if options["access_log"] is None
                else options["access_log"]
            ),
        )
        # The workers are forked from this process: none may inherit its connection.
        connections.close_all()
        self.stdout.write(
            _(
                "credfile serving on %(bind)s "
                "(workers: %(workers)d, threads per worker: %(threads)d)."
            )
            % {
                "bind": ", ".join(serve_options.bind),
                "workers": serve_options.workers,
                "threads": serve_options.threads,
            }
        )
        self.stdout.flush()
        serve(serve_options)
