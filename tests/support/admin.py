"""Admin operations for test set-up, done the way the CLI does them (on the database)."""

from __future__ import annotations

from modeldir.admin import inputs
from modeldir.admin.service import Actor, AdminService
from modeldir.store import Store


def admin_for(store: Store) -> AdminService:
    return AdminService(store, Actor("cli", "tests"))


def new_key(store: Store, *, workspace_id: str | None = None, name: str = "test key") -> str:
    """A fresh API key's secret."""
    created = admin_for(store).create_api_key(
        inputs.ApiKeyCreate(name=name, workspace_id=workspace_id)
    )
    return str(created.object["key"])


def new_admin_key(store: Store, *, read_only: bool = False) -> str:
    """A fresh admin key's secret (a read-only one when asked)."""
    created = admin_for(store).create_admin_key(inputs.AdminKeyCreate(read_only=read_only))
    return str(created.object["key"])
