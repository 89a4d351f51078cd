"""The catalogue's pages: the list (filters, search, order, pages), a model, its changes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import anyio.to_thread
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from modeldir.admin import inputs, objects
from modeldir.admin.service import AdminService, Versioned
from modeldir.catalogue.access import AccessRule
from modeldir.catalogue.model_info import LIFECYCLES, Line
from modeldir.console.listing import CAPABILITY_PATHS, ORDERS, OWNERS, ModelQuery, list_models
from modeldir.console.model_form import CAPABILITY_LEAVES, FIELDS, form_values, model_from_form
from modeldir.console.pages import form_text, page, required, see_other
from modeldir.console.sessions import PATH, Session
from modeldir.errors import ConflictError, InvalidRequestError, NotFoundError, StaleVersionError

if TYPE_CHECKING:
    from modeldir.console.app import Console, View

LINES: tuple[str, ...] = Line.__args__  # type: ignore[attr-defined]


async def models_page(console: Console, request: Request) -> Response:
    session = await console.sessions.find(request)
    query = ModelQuery.of(request.query_params.getlist, request.query_params.get("start"))
    snapshot = console.live.snapshot
    index = console.search
    index.warm_soon(index.listing(snapshot))  # so that a search finds its texts made
    page_of = partial(list_models, snapshot, query, console.facts.anthropic_models, index=index)
    # A slice is a few microseconds; a filter may walk far, so it does not hold up the loop.
    listing = await anyio.to_thread.run_sync(page_of) if query.narrowed else page_of()
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
        capabilities=CAPABILITY_PATHS,
        link=lambda start: _link(request, start),
        revision=snapshot.revision,
    )


def _link(request: Request, start: int) -> str:
    """The catalogue page at another position, every filter kept."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "start"]
    return f"{PATH}/models?" + urlencode([*params, ("start", str(start))])


def _quote(value: str) -> str:
    return quote(value, safe="")


async def model_page(console: Console, request: Request) -> Response:
    session = await console.sessions.find(request)
    model_id = required(request, "id", "model")
    current, metadata = await _model_and_metadata(console, session, model_id)
    return _model_page(console, request, session, current, metadata)


async def _model_and_metadata(
    console: Console, session: Session, model_id: str
) -> tuple[Versioned, Mapping[str, Any]]:
    """A model as the admin API shows it, and what the Models API does not carry about it."""
    return await console.read(
        session, lambda s: (s.get_model(model_id), s.get_model_metadata(model_id))
    )


def _model_page(
    console: Console,
    request: Request,
    session: Session,
    current: Versioned,
    metadata: Mapping[str, Any],
    status: int = 200,
    alias_error: str = "",
) -> Response:
    snapshot = console.live.snapshot
    model_id = current.object["id"]
    aliases = [
        {**objects.alias_object(a), "etag": objects.etag(a.revision)}
        for a in sorted(snapshot.aliases.values(), key=lambda a: a.alias)
        if a.model_id == model_id
    ]
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
        alias_error=alias_error,
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
    session.actor.check_may_change()  # a form that only a change can follow
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
    session.actor.check_may_change()
    model_id = required(request, "id", "model")
    current = await console.read(session, lambda s: s.get_model(model_id))
    values = form_values(current.object)
    return _form_page(request, session, values, creating=False, etag=current.etag)


async def update_model(console: Console, request: Request) -> Response:
    session, form = await console.sessions.form(request)
    model_id = required(request, "id", "model")
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
    model_id = required(request, "id", "model")
    body = inputs.parse(kind, {"retires_at": _instant(form, "retires_at")})
    etag = _etag(form)
    await console.run(session, lambda s: getattr(s, operation)(model_id, body, etag))
    return see_other(f"{PATH}/model?id={_quote(model_id)}")


async def delete_model(console: Console, request: Request) -> Response:
    session, form = await console.sessions.form(request)
    model_id = required(request, "id", "model")
    etag = _etag(form)
    await console.run(session, lambda s: s.delete_model(model_id, etag))
    return see_other(f"{PATH}/models")


def _checked(form: FormData, name: str) -> bool:
    return form.get(name) is not None


async def _alias_change(
    console: Console,
    request: Request,
    change: Callable[[AdminService, FormData], Versioned | Mapping[str, Any]],
) -> Response:
    """Create, move or delete an alias from a model's page, then show the page of the model it
    names; a refusal shows the page it came from with the reason."""
    session, form = await console.sessions.form(request)
    back = form_text(form, "back")
    try:
        result = await console.run(session, lambda s: change(s, form))
    except (InvalidRequestError, ConflictError, NotFoundError, StaleVersionError) as error:
        current, metadata = await _model_and_metadata(console, session, back)
        return _model_page(console, request, session, current, metadata, error.status, str(error))
    target = result.object["model"] if isinstance(result, Versioned) else back
    return see_other(f"{PATH}/model?id={_quote(target)}")


async def create_alias(console: Console, request: Request) -> Response:
    def create(service: AdminService, form: FormData) -> Versioned:
        fields = {"alias": form_text(form, "alias"), "model": form_text(form, "back")}
        body = inputs.parse(inputs.AliasCreate, {**fields, "listed": _checked(form, "listed")})
        return service.create_alias(body)

    return await _alias_change(console, request, create)


async def update_alias(console: Console, request: Request) -> Response:
    alias = required(request, "alias", "alias")

    def update(service: AdminService, form: FormData) -> Versioned:
        fields = {"model": form_text(form, "model"), "listed": _checked(form, "listed")}
        body = inputs.parse(inputs.AliasUpdate, fields)
        return service.update_alias(alias, body, _etag(form))

    return await _alias_change(console, request, update)


async def delete_alias(console: Console, request: Request) -> Response:
    alias = required(request, "alias", "alias")
    return await _alias_change(console, request, lambda s, f: s.delete_alias(alias, _etag(f)))


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
    ("/aliases", create_alias, ["POST"]),
    ("/alias/edit", update_alias, ["POST"]),
    ("/alias/delete", delete_alias, ["POST"]),
]
