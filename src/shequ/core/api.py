"""The API framework: one NinjaAPI, JSON errors with a stable code, and a generic scoped CRUD router.

A model's router is a few declarations (schemas, filterset, actions); lists, filters,
pagination, scope (404 outside it) and audit come from here, the same as the UI.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import django_filters
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import create_model

from shequ.accounts.scope import can

from . import api_dump
from .actions import fetch
from .exceptions import ActionError, FieldErrors, NotFound
from .pagination import MAX_PAGE, MAX_PAGE_SIZE, CappedPaginator
from .prepared import listing, shape

logger = logging.getLogger(__name__)


class SessionAuth(APIKeyCookie):
    """The browser session (with CSRF on writes), as in the UI."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


class TokenAuth(HttpBearer):
    """``Authorization: Bearer shq_…``; the key is compared by its SHA-256."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from shequ.accounts.models import APIToken

        user = APIToken.authenticate(token)
        if user is None:
            return None
        request.user = user
        return user


class ErrorOut(Schema):
    code: str
    message: str
    details: list[dict[str, Any]] = []


def error(
    request: HttpRequest, api: NinjaAPI, status: int, code: str, message: str, details: list | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": str(message), "details": details or []}, status=status
    )


def nested_urls(patterns: list[Any]) -> list[Any]:
    """Django's resolver tries the patterns one after the other: the API's flat list of ~300 routes cost a
    seventh of an API read before the view was found.  The same routes, nested by their first segment
    (``services/`` → ``requests/`` → ``<pk>``), are found after a few dozen tries; names and order stay."""
    from django.urls import URLPattern, include, path

    groups: dict[str, list[Any]] = {}
    nested: list[Any] = []
    for pattern in patterns:
        route = getattr(pattern.pattern, "_route", None)
        head, slash, rest = route.partition("/") if isinstance(route, str) else ("", "", "")
        if not isinstance(pattern, URLPattern) or not slash or not head or "<" in head:
            nested.append(pattern)
            continue
        if head not in groups:
            groups[head] = []
            nested.append(head)  # the group takes the place of its first route
        groups[head].append(path(rest, pattern.callback, pattern.default_args, pattern.name))  # type: ignore[arg-type]
    return [path(f"{item}/", include(nested_urls(groups[item]))) if isinstance(item, str) else item for item in nested]


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="Shequ API",
        version="1",
        urls_namespace="api",
        auth=[TokenAuth(), SessionAuth(csrf=True)],
        docs_url="/docs",
        description=_("Community platform API: every list and object is limited to the caller's area."),
    )
    api_dump.API[0] = api

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error(request, api, 404, "not_found", _("Not found, or outside your area."))

    @api.exception_handler(NotFound)
    def not_found2(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error(request, api, 404, "not_found", _("Not found, or outside your area."))

    @api.exception_handler(FieldErrors)
    def field_errors(request: HttpRequest, exc: FieldErrors) -> HttpResponse:
        return error(request, api, 422, "validation_error", _("The request is malformed."), exc.details)

    @api.exception_handler(ActionError)
    def action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
        code = getattr(exc, "code", None) or "invalid"
        return error(request, api, 400, code, "；".join(exc.messages))

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        details: list[dict[str, Any]] = []
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                details.extend({"field": field, "message": m} for m in errors)
        return error(request, api, 400, "invalid", "；".join(exc.messages), details)

    @api.exception_handler(NinjaValidationError)
    def payload_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        details = [{"field": _field_name(e.get("loc", ())), "message": _translate_pydantic(e)} for e in exc.errors]
        return error(request, api, 422, "validation_error", _("The request is malformed."), details)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:
            return error(request, api, 400, "malformed", _("The request body cannot be parsed: send valid JSON."))
        if exc.status_code == 429:
            return error(request, api, 429, "throttled", _("Too many requests; try again later."))
        return error(request, api, exc.status_code, "error", str(exc))

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error(request, api, 401, "unauthenticated", _("Log in or send a valid API token."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error(request, api, 403, "forbidden", _("You may not do this."))

    return api


def _field_name(loc: Any) -> str:
    """("body", "payload", "name") → "name": the field as the client sent it — without the location and the
    view's argument, but a field itself named like them (a disclosure's "body") kept."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "form", "header", "cookie", "file"):
        parts.pop(0)
    if len(parts) > 1 and parts[0] in ("payload", "filters", "file", "body", "data"):
        parts.pop(0)
    return ".".join(parts)


def _translate_pydantic(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    messages = {
        "missing": _("This field is required."),
        "int_parsing": _("Enter a whole number."),
        "float_parsing": _("Enter a number."),
        "string_too_long": _("Ensure this value has at most %(max_length)s characters."),
        "greater_than_equal": _("Ensure this value is greater than or equal to %(ge)s."),
        "greater_than": _("Ensure this value is greater than %(gt)s."),
        "less_than_equal": _("Ensure this value is less than or equal to %(le)s."),
        "less_than": _("Ensure this value is less than %(lt)s."),
        "decimal_max_digits": _("Ensure that there are no more than %(max_digits)s digits in total."),
        "decimal_max_places": _("Ensure that there are no more than %(decimal_places)s decimal places."),
        "finite_number": _("Enter a finite number."),
        "decimal_parsing": _("Enter a number."),
        "date_parsing": _("Enter a valid date."),
        "date_from_datetime_parsing": _("Enter a valid date."),
        "datetime_parsing": _("Enter a valid date/time."),
        "datetime_from_date_parsing": _("Enter a valid date/time."),
        "int_from_float": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "json_invalid": _("The body is not valid JSON."),
        "enum": _("Not one of the allowed values."),
        "literal_error": _("Not one of the allowed values."),
        "bool_parsing": _("Enter true or false."),
        "string_type": _("Enter a text."),
        "model_attributes_type": _("The body must be a JSON object."),
        "dict_type": _("The body must be a JSON object."),
    }
    message = messages.get(kind)
    if kind == "value_error" and (err.get("ctx") or {}).get("error") is not None:
        return str(err["ctx"]["error"])  # our own validators' message, already in the reader's language
    if message is None:
        return str(err.get("msg", _("Invalid value.")))
    try:
        return str(message) % {k: str(v) for k, v in (err.get("ctx") or {}).items()}
    except (KeyError, ValueError, TypeError):
        return str(message)


# ``page`` and ``page_size`` of every list: out of bounds (or not a number) answers 422 naming the parameter,
# never an OFFSET the database cannot take.
PAGE = Query(1, ge=1, le=MAX_PAGE, description="The page, from 1.")
PAGE_SIZE = Query(50, ge=1, le=MAX_PAGE_SIZE, description=f"Items per page, 1 to {MAX_PAGE_SIZE}.")


class Created(Schema):
    """The answer to a create whose result the caller may not view: its id alone."""

    id: int
    message: str


class Page(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int


def filter_schema(filterset: type[django_filters.FilterSet]) -> type[Schema]:
    """A query-parameter schema mirroring a FilterSet, so OpenAPI documents the same filters as the UI."""
    fields: dict[str, Any] = {}
    for name, flt in filterset.base_filters.items():
        if isinstance(flt, django_filters.MultipleChoiceFilter):
            fields[name] = (list[str] | None, None)
        else:
            fields[name] = (str | None, None)
    return create_model(f"{filterset.__name__}Query", __base__=Schema, **fields)  # type: ignore[call-overload]


def user_of(request: HttpRequest) -> Any:
    return getattr(request, "auth", None) or getattr(request, "user", None) or AnonymousUser()


@dataclass(frozen=True)
class ObjectAction:
    """An endpoint ``POST /{pk}/<path>`` (or *method*) that acts on one object through a ``do_*`` action.

    The object is fetched through ``restrict(user, permission)`` (404 when it is missing or outside the
    caller's area), then ``run(user, obj, payload)`` is called (``run(user, obj)`` without a *payload*
    schema); an ActionError answers 400 with ErrorOut, a malformed payload 422.  The answer (with
    *status*) is what ``run`` returns, shaped by *response*, or, when it returns None, the object read
    again for viewing, shaped by the router's out schema.  ``run``'s docstring documents the endpoint;
    the operation id defaults to ``<path>_<model>``.
    """

    path: str
    run: Callable[..., Any]
    payload: type[Schema] | None = None
    operation_id: str = ""
    permission: str = "change"
    method: str = "POST"
    status: int = 200
    response: Any = None


def crud_router(
    *,
    model: Any,
    out_schema: type[Schema],
    filterset: type[django_filters.FilterSet],
    create_schema: type[Schema] | None = None,
    update_schema: type[Schema] | None = None,
    create: Callable[[Any, Any], Any] | None = None,
    update: Callable[[Any, Any, Any], Any] | None = None,
    delete: Callable[[Any, Any], None] | None = None,
    actions: Sequence[ObjectAction] = (),
    workflow: Any = None,
    select_related: tuple[str, ...] = (),
    tags: list[str] | None = None,
) -> Router:
    """List (filtered, paginated, capped count), detail, optional create / update / delete, the declared
    *actions* on one object, and the steps of its *workflow* (``core.workflow``) as ``POST /{pk}/<step>``."""
    from .bounds import bounded_schema

    # The bodies carry the bounds of the model's fields they are named after (422 naming the field).
    create_schema = bounded_schema(create_schema, model) if create_schema is not None else None
    update_schema = bounded_schema(update_schema, model) if update_schema is not None else None
    actions = [replace(a, payload=bounded_schema(a.payload, model)) if a.payload else a for a in actions]
    router = Router(tags=tags or [str(model._meta.verbose_name_plural)])
    name = model._meta.model_name
    docs = _crud_descriptions(model)
    Filters = filter_schema(filterset)
    ListOut = create_model(f"{model.__name__}Page", __base__=Page, items=(list[out_schema], ...))  # type: ignore[valid-type]

    def base() -> Any:
        qs = model._default_manager.all()
        return qs.select_related(*select_related) if select_related else qs

    # A page of the list selects only what its answer holds (the street's requests: 26 of 41 columns and the
    # category's name alone, not its row).  A single object is read whole: actions and steps change it.
    reads = api_dump.columns(out_schema, model, select_related or ())

    def listed() -> Any:
        return base().only(*reads) if reads else base()

    @router.get(
        "/",
        response={200: ListOut, 400: ErrorOut},
        operation_id=f"list_{name}s",
        summary=docs["summary_list"],
        description=docs["list"],
    )
    def list_objects(
        request: HttpRequest,
        filters: Query[Filters],  # type: ignore[valid-type]
        page: int = PAGE,
        page_size: int = PAGE_SIZE,
    ) -> Any:  # type: ignore[valid-type]
        user = user_of(request)
        start = (page - 1) * page_size

        def filtered() -> Any:
            fs = filterset(request.GET, queryset=listed().restrict(user, "view"), request=request)
            if not fs.is_valid():
                details = [{"field": f, "message": str(m)} for f, ms in fs.errors.items() for m in ms]
                raise ValidationError("；".join(d["message"] for d in details) or _("Invalid filter."))
            return fs.qs

        # No filter asked: the page and its count through statements compiled once for this user.
        unfiltered = None
        shaped = shape(listed())
        if shaped is not None and not set(request.GET) - {"page", "page_size"}:
            key = (shaped, filterset.__module__, filterset.__qualname__, "view")
            unfiltered = listing(filtered, key, user, start, start + page_size, settings.SHEQU_COUNT_CAP)
        if unfiltered is not None:
            items = unfiltered.rows()
            count, capped = unfiltered.count(settings.SHEQU_COUNT_CAP)
        else:
            rows = filtered()
            paginator = CappedPaginator(rows, page_size)
            count, capped = paginator.count, paginator.capped
            items = list(rows[start : start + page_size])
        answer = {"count": count, "count_capped": capped, "page": page, "page_size": page_size}
        dumped = api_dump.dump(out_schema, items, api_dump.context_of(request))
        if dumped is not None:
            return api_dump.answer(request, {**answer, "items": dumped})
        return {**answer, "items": items}

    @router.get(
        "/{pk}",
        response={200: out_schema, 404: ErrorOut},
        operation_id=f"get_{name}",
        summary=docs["summary_get"],
        description=docs["get"],
    )
    def get_object(request: HttpRequest, pk: str) -> Any:
        obj = fetch(base(), user_of(request), "view", pk)
        dumped = api_dump.dump(out_schema, [obj], api_dump.context_of(request))
        return obj if dumped is None else api_dump.answer(request, dumped[0])

    if create is not None and create_schema is not None:

        @router.post(
            "/",
            response={201: out_schema | Created, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut},  # type: ignore[operator]
            operation_id=f"create_{name}",
            summary=docs["summary_create"],
            description=docs["create"],
        )
        def create_object(request: HttpRequest, payload: create_schema) -> Any:  # type: ignore[valid-type]
            user = user_of(request)
            if not can(user, model, "add"):
                raise NotFound()
            obj = create(user, payload)
            # What the caller may see of it: all of it, or (a place or organization outside their view) its id.
            seen = list(base().restrict(user, "view").filter(pk=obj.pk).order_by()[:1])
            if not seen:
                return Status(201, {"id": obj.pk, "message": _("Created; it lies outside what you may view.")})
            return Status(201, seen[0])

    if update is not None and update_schema is not None:

        @router.patch(
            "/{pk}",
            response={200: out_schema, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut},
            operation_id=f"update_{name}",
            summary=docs["summary_update"],
            description=docs["update"],
        )
        def update_object(request: HttpRequest, pk: str, payload: update_schema) -> Any:  # type: ignore[valid-type]
            user = user_of(request)
            obj = fetch(base(), user, "change", pk)
            obj = update(user, obj, payload)
            return fetch(base(), user, "view", obj.pk)

    if delete is not None:

        @router.delete(
            "/{pk}",
            response={204: None, 400: ErrorOut, 404: ErrorOut},
            operation_id=f"delete_{name}",
            summary=docs["summary_delete"],
            description=docs["delete"],
        )
        def delete_object(request: HttpRequest, pk: str) -> Any:
            user = user_of(request)
            obj = fetch(base(), user, "delete", pk)
            delete(user, obj)
            return Status(204, None)

    _CRUD_CONTEXT[router] = (base, out_schema, name)
    add_object_actions(router, *actions)
    if workflow is not None:
        for step in workflow.steps.values():
            if step.api:
                _add_step(router, workflow, step, base, out_schema, name)
    return router


def _crud_descriptions(model: Any) -> dict[str, str]:
    """The OpenAPI descriptions of the generic operations on *model* (in English, as the API docs are)."""
    with translation.override("en"):
        one, many = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)
    article = "an" if one[:1] in "aeio" or one.startswith(("un", "um")) else "a"  # a user, an umbrella
    return {
        "summary_list": f"List {many}",
        "summary_get": f"Get {article} {one}",
        "summary_create": f"Create {article} {one}",
        "summary_update": f"Update {article} {one}",
        "summary_delete": f"Delete {article} {one}",
        "list": (
            f"The {many} within the caller's area, filtered by the query parameters (the same filters as the "
            "list in the UI; an invalid filter answers 400) and paginated by `page` and `page_size` (at most "
            "500). `count` stops at a cap on large tables; `count_capped` then says so."
        ),
        "get": f"One {one} within the caller's area; 404 when it does not exist or lies outside the area.",
        "create": (
            f"Create a {one} where the caller may add one (404 otherwise) and answer it as read back. A value "
            "the rules refuse answers 400 with a stable `code`; a malformed body answers 422."
        ),
        "update": (
            f"Change the fields sent (and only those) of a {one} within the caller's area and answer it as "
            "read back. A value the rules refuse answers 400 with a stable `code`; a malformed body answers 422."
        ),
        "delete": (
            f"Delete a {one} within the caller's area (204). The rules may refuse (400 with a stable `code`), "
            "e.g. while other records still depend on it."
        ),
    }


# For each router made by crud_router: its base queryset, out schema and model name.
_CRUD_CONTEXT: dict[Router, tuple[Callable[[], Any], Any, str]] = {}


def add_object_actions(router: Router, *actions: ObjectAction) -> None:
    """Add ``ObjectAction`` endpoints to a router made by ``crud_router`` (after the schemas they need)."""
    base, out_schema, name = _CRUD_CONTEXT[router]
    for action in actions:
        _add_action(router, action, base, out_schema, name)


def _add_action(router: Router, action: ObjectAction, base: Callable[[], Any], out_schema: Any, name: str) -> None:
    operation_id = action.operation_id or f"{action.path}_{name}"
    responses: dict[int, Any] = {action.status: action.response or out_schema, 400: ErrorOut, 404: ErrorOut}
    if action.payload is not None:
        responses[422] = ErrorOut

    def answer(user: Any, obj: Any, result: Any) -> Any:
        if result is None:
            result = fetch(base(), user, "view", obj.pk)
        return result if action.status == 200 else Status(action.status, result)

    endpoint: Callable[..., Any]
    if action.payload is not None:
        payload_schema = action.payload

        def endpoint(request: HttpRequest, pk: str, payload: payload_schema) -> Any:  # type: ignore[valid-type]
            user = user_of(request)
            obj = fetch(base(), user, action.permission, pk)
            return answer(user, obj, action.run(user, obj, payload))

    else:

        def endpoint(request: HttpRequest, pk: str) -> Any:
            user = user_of(request)
            obj = fetch(base(), user, action.permission, pk)
            return answer(user, obj, action.run(user, obj))

    endpoint.__name__ = operation_id  # the operation's summary ("Archive Resident")
    endpoint.__doc__ = action.run.__doc__
    router.add_api_operation(
        f"/{{pk}}/{action.path}", [action.method], endpoint, response=responses, operation_id=operation_id
    )


def _english(text: Any) -> str:
    with translation.override("en"):
        return str(text)


def _step_description(model: Any, workflow: Any, step: Any) -> str:
    if step.description:
        return step.description
    doc = (getattr(step.run, "__doc__", "") or "").strip()
    if doc and getattr(step.run, "__name__", "") != "<lambda>":
        return doc
    with translation.override("en"):
        one = str(model._meta.verbose_name)
        title = str(step.title)
        states = ", ".join(workflow.state_label(s) for s in step.states) or "any open state"
    return (
        f"Take the step “{title}” on a {one} within the caller's area (from: {states}). The body is validated "
        "like the step's form on the page (422 naming the field); 404 when the step is not the caller's to "
        "take; 400 with a stable `code` when the case's state or a rule does not allow it now."
    )


def _add_step(router: Router, workflow: Any, step: Any, base: Callable[[], Any], out_schema: Any, name: str) -> None:
    """``POST /{pk}/<step>``: the body derived from the step's form, validated by that form."""
    from .stepforms import body_schema, form_data, has_file_field

    form_class = step.form_class()
    if has_file_field(form_class):
        return
    response = import_string(step.response) if isinstance(step.response, str) else step.response
    path = step.api_path or step.name
    operation_id = f"{path}_{name}"
    Body, names = body_schema(form_class, f"{workflow.model.__name__}{path.title().replace('_', '')}In")
    responses: dict[int, Any] = {step.status: response or out_schema, 400: ErrorOut, 404: ErrorOut}
    if names:
        responses[422] = ErrorOut

    def take(request: HttpRequest, pk: str, payload: Any) -> Any:
        user = user_of(request)
        obj = fetch(base(), user, step.permission, pk)
        if not workflow.may(user, obj, step):
            raise NotFound()
        form = form_class(form_data(payload, names), user=user)
        if not form.is_valid():
            json_names = {v: k for k, v in names.items()}
            raise FieldErrors(
                [
                    {"field": json_names.get(f, f) if f != "__all__" else "", "message": str(m)}
                    for f, messages in form.errors.items()
                    for m in messages
                ]
            )
        result = step.run(user, obj, form.cleaned_data)
        if response is None or result is None:
            result = fetch(base(), user, "view", obj.pk)
        return result if step.status == 200 else Status(step.status, result)

    endpoint: Callable[..., Any]
    if names:

        def endpoint(request: HttpRequest, pk: str, payload: Body) -> Any:  # type: ignore[valid-type]
            return take(request, pk, payload)

    else:

        def endpoint(request: HttpRequest, pk: str) -> Any:
            return take(request, pk, None)

    endpoint.__name__ = operation_id
    router.add_api_operation(
        f"/{{pk}}/{path}",
        ["POST"],
        endpoint,
        response=responses,
        operation_id=operation_id,
        summary=_english(step.title),
        description=_step_description(workflow.model, workflow, step),
    )
