"""The catalogue's pages: the list (filters, search, order, pages), a model, its changes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from modeldir.admin import inputs
from modeldir.admin.service import Versioned
from modeldir.catalogue.access import AccessRule
from modeldir.catalogue.model_info import LIFECYCLES, Line
from modeldir.console.listing import ORDERS, OWNERS, ModelQuery, capability_paths, list_models
from modeldir.console.model_form import CAPABILITY_LEAVES, FIELDS, form_values, model_from_form
from modeldir.console.pages import page, see_other
from modeldir.console.sessions import PATH, Session
from modeldir.errors import InvalidRequestError, StaleVersionError

if TYPE_CHECKING:
    from modeldir.console.app import Console, View

LINES: tuple[str, ...] = Line.__args__  # type: ignore[attr-defined]


async def models_page(console: Console, request: Request) -> Response:
    session = await console.sessions.find(request)
    query = ModelQuery.of(request.query_params.getlist, request.query_params.get("start"))
    snapshot = console.live.snapshot
    listing = list_models(snapshot, query, console.facts.anthropic_models)
    return page(
        request,
        "models.html",
        session,
        section="models",
        listing=listing,
        query=query,
        lifecycles=LIFECYCLES,
        lines=LINES,
        owners=OWNERS,
        orders=ORDERS,
        capabilities=capability_paths(),
        link=lambda start: _link(request, start),
        revision=snapshot.revision,
    )


def _link(request: Request, start: int) -> str:
    """The catalogue page at another position, every filter kept."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "start"]
    return f"{PATH}/models?" + urlencode([*params, ("start", str(start))])


def _quote(value: str) -> str:
    return quote(value, safe="")


def _model_id(request: Request) -> str:
    model_id = request.query_params.get("id")
    if not model_id:
        raise InvalidRequestError("id: which model? (?id=...)")
    return model_id


async def model_page(console: Console, request: Request) -> Response:
    session = await console.sessions.find(request)
    model_id = _model_id(request)
    current, metadata = await console.read(
        session, lambda s: (s.get_model(model_id), s.get_model_metadata(model_id))
    )
    return _model_page(console, request, session, current, metadata)


def _model_page(
    console: Console,
    request: Request,
    session: Session,
    current: Versioned,
    metadata: Mapping[str, Any],
    status: int = 200,
) -> Response:
    snapshot = console.live.snapshot
    model_id = current.object["id"]
    aliases = sorted(
        (a for a in snapshot.aliases.values() if a.model_id == model_id), key=lambda a: a.alias
    )
    workspaces = sorted(
        (
            w
            for w in snapshot.workspaces.values()
            if w.archived_at is None and AccessRule.of(w.model_access).allows(model_id)
        ),
        key=lambda w: (not w.is_default, w.name),
    )
    return page(
        request,
        "model.html",
        session,
        status,
        section="models",
        model=current.object,
        etag=current.etag,
        aliases=aliases,
        workspaces=workspaces,
        metadata={k: v for k, v in metadata.items() if k not in ("type", "model")},
        owner="anthropic" if model_id in console.facts.anthropic_models else "organization",
    )


def _form_page(
    request: Request,
    session: Session,
    values: dict[str, Any],
    *,
    creating: bool,
    etag: str = "",
    error: str = "",
    current: Mapping[str, Any] | None = None,
    status: int = 200,
) -> Response:
    return page(
        request,
        "model_form.html",
        session,
        status,
        section="models",
        fields=FIELDS,
        leaves=CAPABILITY_LEAVES,
        values=values,
        creating=creating,
        etag=etag,
        error=error,
        current=None if current is None else form_values(current),
    )


async def new_model_page(console: Console, request: Request) -> Response:
    session = await console.sessions.find(request)
    return _form_page(request, session, form_values({"lifecycle": "active"}), creating=True)


async def create_model(console: Console, request: Request) -> Response:
    session, form = await console.sessions.form(request)
    model = model_from_form(form)
    try:
        created = await console.run(session, lambda s: s.create_model(model))
    except InvalidRequestError as error:
        values = form_values(model)
        return _form_page(request, session, values, creating=True, error=str(error), status=400)
    return see_other(f"{PATH}/model?id={_quote(created.object['id'])}")


async def edit_model_page(console: Console, request: Request) -> Response:
    session = await console.sessions.find(request)
    model_id = _model_id(request)
    current = await console.read(session, lambda s: s.get_model(model_id))
    values = form_values(current.object)
    return _form_page(request, session, values, creating=False, etag=current.etag)


async def update_model(console: Console, request: Request) -> Response:
    session, form = await console.sessions.form(request)
    model_id = _model_id(request)
    model = {**model_from_form(form), "id": model_id}
    etag = _etag(form)
    try:
        await console.run(session, lambda s: s.update_model(model_id, model, etag))
    except StaleVersionError as error:
        current = await console.read(session, lambda s: s.get_model(model_id))
        return _form_page(
            request,
            session,
            form_values(model),
            creating=False,
            etag=current.etag,
            error=str(error),
            current=current.object,
            status=409,
        )
    except InvalidRequestError as error:
        values = form_values(model)
        return _form_page(
            request, session, values, creating=False, etag=etag or "", error=str(error), status=400
        )
    return see_other(f"{PATH}/model?id={_quote(model_id)}")


def _etag(form: FormData) -> str | None:
    value = form.get("etag")
    return value if isinstance(value, str) and value else None


def _instant(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


async def deprecate_model(console: Console, request: Request) -> Response:
    return await _lifecycle_change(console, request, inputs.ModelDeprecate, "deprecate_model")


async def retire_model(console: Console, request: Request) -> Response:
    return await _lifecycle_change(console, request, inputs.ModelRetire, "retire_model")


async def _lifecycle_change(
    console: Console,
    request: Request,
    kind: type[inputs.ModelDeprecate] | type[inputs.ModelRetire],
    operation: str,
) -> Response:
    """Deprecate or retire: the form's optional retirement date, the model's version."""
    session, form = await console.sessions.form(request)
    model_id = _model_id(request)
    body = inputs.parse(kind, {"retires_at": _instant(form, "retires_at")})
    etag = _etag(form)
    await console.run(session, lambda s: getattr(s, operation)(model_id, body, etag))
    return see_other(f"{PATH}/model?id={_quote(model_id)}")


async def delete_model(console: Console, request: Request) -> Response:
    session, form = await console.sessions.form(request)
    model_id = _model_id(request)
    etag = _etag(form)
    await console.run(session, lambda s: s.delete_model(model_id, etag))
    return see_other(f"{PATH}/models")


VIEWS: list[tuple[str, View, list[str]]] = [
    ("/models", models_page, ["GET"]),
    ("/models/new", new_model_page, ["GET"]),
    ("/models/new", create_model, ["POST"]),
    ("/model", model_page, ["GET"]),
    ("/model/edit", edit_model_page, ["GET"]),
    ("/model/edit", update_model, ["POST"]),
    ("/model/deprecate", deprecate_model, ["POST"]),
    ("/model/retire", retire_model, ["POST"]),
    ("/model/delete", delete_model, ["POST"]),
]
