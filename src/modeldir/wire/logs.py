"""Log lines: text for a person at a terminal, or one JSON object a line for a log pipeline.

`MODELDIR_LOG_FORMAT=json` makes every line modeldir and its HTTP server write a JSON object:
`time`, `level`, `logger`, `message`, and, where they apply, `request_id`, `method`, `path`,
`status`, `duration_ms`, `workspace_id` and `exception`. With `MODELDIR_ACCESS_LOG` each
request is one line of the `modeldir.access` logger. No header is ever logged, so neither is a
key: a request is known by its method, path (without the query) and request id.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

import orjson

ACCESS = logging.getLogger("modeldir.access")
_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "workspace_id")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object a line, with the request's fields when the record carries them."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        line: dict[str, Any] = {
            "time": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def formatter(log_format: str) -> logging.Formatter:
    """The formatter for a `MODELDIR_LOG_FORMAT`."""
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(level: str, log_format: str = "text") -> None:
    """modeldir's log lines on standard error (the HTTP server configures only its own)."""
    root = logging.getLogger("modeldir")
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    for handler in root.handlers:
        handler.setFormatter(formatter(log_format))
    root.setLevel(level.upper())


def server_log_config(log_format: str) -> dict[str, Any]:
    """How the HTTP server's own lines are formatted: like modeldir's, on standard error."""
    if log_format == "json":
        formatters: dict[str, Any] = {"generic": {"()": JsonFormatter}}
    else:
        formatters = {"generic": {"format": "[%(levelname)s] %(message)s"}}
    formatters["access"] = formatters["generic"]
    handler = {"formatter": "generic", "class": "logging.StreamHandler"}
    return {
        "formatters": formatters,
        "handlers": {
            "console": {**handler, "stream": "ext://sys.stderr"},
            "access": {**handler, "formatter": "access", "stream": "ext://sys.stderr"},
        },
    }


def log_request(
    request_id: bytes,
    method: str,
    path: str,
    status: int,
    started: float,
    workspace_id: bytes | None,
) -> None:
    """One access line for a request that was answered."""
    duration_ms = round((time.perf_counter() - started) * 1000, 3)
    ACCESS.info(
        "%s %s %d",
        method,
        path,
        status,
        extra={
            "request_id": request_id.decode(),
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
            "workspace_id": None if workspace_id is None else workspace_id.decode(),
        },
    )
