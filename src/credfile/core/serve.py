"""`credfile serve`: gunicorn running credfile.wsgi, configured from settings and options.

Gunicorn is started through its Python API (BaseApplication), so no shell and no
configuration file are involved: what `credfile serve` is given is all there is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from credfile.core.client_ip import client_ip_of
from credfile.core.logfilter import MaskSensitiveFilter
from credfile.monitoring.metrics import child_exit, multiprocess_reset


@dataclass(frozen=True)
class ServeOptions:
    bind: list[str]
    workers: int
    threads: int
    timeout: int
    graceful_timeout: int
    max_requests: int
    access_log: bool

    def gunicorn_settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = {
            "bind": self.bind,
            "workers": self.workers,
            "threads": self.threads,
            # Several threads per worker need gunicorn's threaded worker; one is the plain one.
            "worker_class": "gthread" if self.threads > 1 else "sync",
            "timeout": self.timeout,
            "graceful_timeout": self.graceful_timeout,
            "max_requests": self.max_requests,
            # Spread the restarts so that the workers do not all restart at once.
            "max_requests_jitter": self.max_requests // 10,
            "errorlog": "-",
            "accesslog": "-" if self.access_log else None,
            "logger_class": MaskedLogger,
            # Load credfile once in the arbiter, so that a broken configuration stops the
            # start instead of every worker in turn, and the workers share its memory.
            "preload_app": True,
            "proc_name": "credfile",
            # X-Forwarded-* are read by credfile's own rule (CREDFILE_PROXY_COUNT); gunicorn
            # is not to rewrite the request from them.
            "forwarded_allow_ips": "",
            # Gunicorn's control socket sits in the user's home directory, one per user: two
            # servers of one user would take each other's; credfile is stopped by signals.
            "control_socket_disable": True,
            # With PROMETHEUS_MULTIPROC_DIR (docs/monitoring.md) a dead worker's live gauges
            # are dropped; without it the hook does nothing.
            "child_exit": child_exit,
        }
        return settings


class MaskedLogger(Logger):
    """Gunicorn's logs through credfile's masking (ID and phone numbers in URLs), with the
    client's address taken by the same proxy rule as the lockout and the audit trail."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(MaskSensitiveFilter())

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["h"] = client_ip_of(environ) or atoms.get("h", "-")
        return atoms


class CredfileApplication(BaseApplication):
    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.gunicorn_settings().items():
            # Versions before 25 have no control socket, and nothing to turn off.
            if value is not None and key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from credfile.wsgi import application

        return application


def serve(options: ServeOptions) -> None:
    # The counts of the workers of an earlier run are not this run's (a directory that
    # systemd's RuntimeDirectory did not empty, a server started by hand).
    multiprocess_reset()
    CredfileApplication(options).run()
