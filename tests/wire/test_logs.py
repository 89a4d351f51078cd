"""Log lines: one JSON object a line with the request's fields, or text; never a header."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from modeldir.wire.logs import JsonFormatter, formatter, log_request, server_log_config


def record(**extra: object) -> logging.LogRecord:
    made = logging.makeLogRecord(
        {"name": "modeldir.access", "levelname": "INFO", "msg": "GET %s", "args": ("/x",)}
    )
    made.__dict__.update(extra)
    made.created = 1_767_225_600.25  # 2026-01-01T00:00:00.250Z
    return made


def test_a_json_line_has_the_fields_in_order() -> None:
    line = JsonFormatter().format(record(request_id="req_01x", status=200, method="GET"))
    assert json.loads(line) == {
        "time": "2026-01-01T00:00:00.250Z",
        "level": "info",
        "logger": "modeldir.access",
        "message": "GET /x",
        "request_id": "req_01x",
        "method": "GET",
        "status": 200,
    }
    assert "\n" not in line


def test_an_exception_is_one_field_of_the_one_line() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        made = record(exc_info=sys.exc_info())
    parsed = json.loads(JsonFormatter().format(made))
    assert "RuntimeError: boom" in parsed["exception"]


def test_text_stays_the_default() -> None:
    assert not isinstance(formatter("text"), JsonFormatter)
    assert isinstance(formatter("json"), JsonFormatter)


def test_the_servers_own_lines_go_to_stderr_in_the_same_format() -> None:
    config = server_log_config("json")
    assert config["formatters"]["generic"] == {"()": JsonFormatter}
    assert {h["stream"] for h in config["handlers"].values()} == {"ext://sys.stderr"}


def test_an_access_line_carries_the_request(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="modeldir.access"):
        log_request(b"req_01abc", "GET", "/v1/models", 200, 0.0, b"wrkspc_01x")
    (line,) = caplog.records
    assert line.getMessage() == "GET /v1/models 200"
    assert (line.request_id, line.workspace_id, line.status) == ("req_01abc", "wrkspc_01x", 200)  # type: ignore[attr-defined]
