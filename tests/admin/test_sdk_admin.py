"""The official SDK's admin client (`client.organization`) against the admin API, strictly.

If Anthropic's own types accept every object, the admin API follows Anthropic's Admin API.
"""

from __future__ import annotations

import anthropic
import pytest

from tests.admin.conftest import Site, unique


@pytest.fixture
def client(site: Site) -> anthropic.Anthropic:
    return anthropic.Anthropic(
        api_key=site.admin_key,
        base_url=site.base_url,
        _strict_response_validation=True,
        max_retries=0,
    )


def test_organization(client: anthropic.Anthropic) -> None:
    org = client.organization.retrieve()
    assert org.type == "organization" and org.name == "modeldir"


def test_workspaces(client: anthropic.Anthropic) -> None:
    name = unique("sdk")
    created = client.organization.workspaces.create(name=name, tags={"team": "sdk"})
    assert created.name == name and created.tags == {"team": "sdk"} and created.archived_at is None
    assert client.organization.workspaces.retrieve(created.id).id == created.id
    renamed = client.organization.workspaces.update(
        created.id, name=name + "-2", display_color="#123456"
    )
    assert renamed.name == name + "-2" and renamed.display_color == "#123456"
    listed = [w.id for w in client.organization.workspaces.list(limit=2)]
    assert created.id in listed
    archived = client.organization.workspaces.archive(created.id)
    assert archived.archived_at is not None
    assert created.id in [
        w.id for w in client.organization.workspaces.list(include_archived=True, limit=3)
    ]


def test_api_keys(site: Site, client: anthropic.Anthropic) -> None:
    keys = list(client.organization.api_keys.list(limit=2))
    assert keys and all(k.type == "api_key" for k in keys)
    key = client.organization.api_keys.retrieve(keys[0].id)
    assert key.scope.type == "workspace"
    updated = client.organization.api_keys.update(key.id, name="renamed by sdk")
    assert updated.name == "renamed by sdk"
    active = list(client.organization.api_keys.list(status="active", limit=100))
    assert all(k.status == "active" for k in active)


def test_an_api_key_is_refused_by_the_sdk_too(site: Site) -> None:
    client = anthropic.Anthropic(api_key=site.api_key, base_url=site.base_url, max_retries=0)
    with pytest.raises(anthropic.PermissionDeniedError):
        client.organization.workspaces.list()
