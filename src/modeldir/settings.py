"""Settings, declared once: environment (`MODELDIR_*`) over defaults; CLI options override both.

This class is the only place a setting is declared. The CLI's options for settings
(`modeldir/cli/options.py`) and the README's configuration table (`scripts/docs`, checked by
`tests/test_docs.py`) are generated from its fields: name, type, default and description.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import platformdirs
from pydantic import BeforeValidator, Field, SecretStr
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def default_database_url() -> str:
    """The embedded default: a SQLite file in the user's data directory."""
    return f"sqlite:///{Path(platformdirs.user_data_dir('modeldir')) / 'modeldir.db'}"


def _comma_list(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    return value


CommaList = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_comma_list)]


class Settings(BaseSettings):
    """Everything an operator can set; each field is also the variable MODELDIR_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="MODELDIR_", extra="ignore", frozen=True)

    database_url: str = Field(
        default_factory=default_database_url,
        description="`sqlite:///path/to/file.db` or `postgresql://user:password@host/db`.",
        json_schema_extra={"shown_default": "a SQLite file in the user data directory"},
    )
    host: str = Field("127.0.0.1", description="Address to listen on.")
    port: int = Field(8080, ge=0, le=65535, description="Port to listen on.")
    api_versions: CommaList = Field(
        ("2023-01-01", "2023-06-01", "2026-10-21"),
        description="Accepted `anthropic-version` values, comma-separated.",
    )
    extra_betas: CommaList = Field(
        (),
        description="`anthropic-beta` values to accept besides the known ones, comma-separated.",
    )
    refresh_interval: float = Field(
        1.0, gt=0, description="Seconds between checks for changes made by other processes."
    )
    log_level: Literal["critical", "error", "warning", "info", "debug"] = Field(
        "info", description="Log level: critical, error, warning, info or debug."
    )
    access_log: bool = Field(False, description="Log every request (costs throughput).")
    log_format: Literal["text", "json"] = Field(
        "text", description="Log lines as text, or as one JSON object a line."
    )
    organization_id: str | None = Field(
        None,
        description="Organisation UUID to create on the first start.",
        json_schema_extra={"shown_default": "random"},
    )
    seed: bool = Field(
        True, description="Load the bundled Claude catalogue into an empty database."
    )
    workers: int = Field(1, ge=1, le=64, description="Server processes sharing the port.")
    header_timeout: float = Field(
        10.0,
        gt=0,
        le=300,
        description="Seconds a client has to send a request's headers; a slower one is cut off.",
    )
    drain_seconds: float = Field(
        5.0,
        ge=0,
        le=25,
        description="On SIGTERM, serve this long with `Connection: close` and /readyz at 503 "
        "before stopping, so clients and load balancers move away first (0: stop at once).",
    )
    key_requests_per_minute: int = Field(
        4000,
        ge=0,
        description="Requests per minute per API key (a workspace may set its own; 0: no limit).",
    )
    workspace_requests_per_minute: int = Field(
        0,
        ge=0,
        description="Requests per minute per workspace (a workspace may set its own; 0: no limit).",
    )
    redis_url: str | None = Field(
        None, description="`redis://host:6379/0`: share rate limits between instances."
    )
    redis_fallback: Literal["local", "refuse"] = Field(
        "local",
        description="While Redis is unreachable: `local` limits each process on its own, "
        "`refuse` answers 503.",
    )
    max_body_bytes: int = Field(
        256 * 1024 * 1024,
        ge=1024,
        description="The largest admin request body accepted, in bytes (larger: 413).",
    )
    openai_on_v1_models: bool = Field(
        False,
        description="Also answer /v1/models in OpenAI's format to a request that brings a bearer "
        "token and no anthropic-version (for tools that hard-code /v1/models).",
    )
    console: bool = Field(
        True, description="Serve the web console at /console (sign-in with an admin key)."
    )
    console_session_seconds: int = Field(
        8 * 3600,
        ge=60,
        le=30 * 86400,
        description="How long a web console session lasts after sign-in, in seconds.",
    )
    console_user_header: str | None = Field(
        None,
        description="Sign console requests that carry this header (e.g. X-Forwarded-User) in "
        "as the user it names. Only behind a proxy that sets it and drops any a client sends.",
    )
    console_user_admin_key: str | None = Field(
        None,
        description="The admin key id whose rights users signed in by "
        "MODELDIR_CONSOLE_USER_HEADER get (unset: read-only).",
    )
    metrics: bool = Field(True, description="Serve Prometheus metrics at /metrics.")
    metrics_token: SecretStr | None = Field(
        None,
        description="A bearer token /metrics requires (`Authorization: Bearer ...`); unset, "
        "/metrics needs no credential (it shows counts and timings, never a key or an id).",
    )
    sync_from: str | None = Field(
        None,
        description="The base URL of an Anthropic-compatible Models API to mirror "
        "(`modeldir sync`, and the schedule).",
    )
    sync_api_key: SecretStr | None = Field(
        None, description="The API key for `sync_from` (keep it in the environment)."
    )
    sync_every_minutes: float = Field(
        0,
        ge=0,
        description="A running server syncs from `sync_from` this often, one instance of a "
        "cluster at a time (0: never).",
    )
    sync_deprecate_missing: bool = Field(
        False,
        description="Scheduled syncs deprecate the synced models the upstream no longer lists.",
    )
    lifecycle_auto_retire: bool = Field(
        False,
        description="A running server retires each deprecated model once its `retires_at` has "
        "passed (an audited change, told to webhooks; one instance of a cluster at a time). Off, "
        "such a model stays deprecated, overdue, as on the real API.",
    )
    webhook_delivery: bool = Field(
        True,
        description="Deliver webhook events from this server (one process of a cluster "
        "delivers at a time; the others stand by).",
    )
    webhook_allow_private_addresses: bool = Field(
        False,
        description="Let webhooks go to loopback, link-local and private addresses (refused "
        "by default, so the admin API cannot reach what only the server can).",
    )
    webhook_max_attempts: int = Field(
        12,
        ge=1,
        le=100,
        description="Tries per webhook delivery before it is given up and its endpoint is "
        "marked failing.",
    )
    webhook_retry_seconds: float = Field(
        10.0,
        gt=0,
        le=3600,
        description="Seconds before a webhook's first retry; each later one waits twice as "
        "long (at most 6 hours), plus up to a quarter more at random.",
    )
    webhook_timeout: float = Field(
        15.0,
        gt=0,
        le=300,
        description="Seconds a webhook endpoint has to answer a delivery.",
    )
    url: str | None = Field(
        None,
        description="Administer through the admin API of the server at this URL instead of "
        "the database (the CLI's remote mode).",
    )
    admin_key: SecretStr | None = Field(
        None, description="The admin key the CLI sends with --url (keep it in the environment)."
    )

    def as_environment(self) -> dict[str, str]:
        """These settings as `MODELDIR_*` variables, which `Settings()` reads back the same."""
        found = {}
        for name, value in self.model_dump().items():
            if value is None or isinstance(value, SecretStr):  # secrets stay where they were
                continue
            if isinstance(value, tuple):
                value = ",".join(value)
            found[f"MODELDIR_{name.upper()}"] = (
                str(value).lower() if isinstance(value, bool) else str(value)
            )
        return found
