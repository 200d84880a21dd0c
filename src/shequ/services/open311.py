"""Open311 GeoReport v2 at /open311/v2/: discovery, services, service definitions, requests (GET, POST), one
request — in XML and JSON, with the field names, status values, date window and errors of the specification.

* Formats: the resource's extension (``services.xml``, ``services.json``); UTF-8, ISO 8601 with offsets.
* ``jurisdiction_id``: optional; when given it must be ``SHEQU_OPEN311_JURISDICTION``.
* ``api_key`` (POST only): an API token of a user who may file requests at the place; the place is the
  ``address_id`` (a node's code), else the node nearest to ``lat``/``long``, else the user's home node.
* GET requests: by default those requested in the last 90 days, at most 1,000, newest first; a window
  given with ``start_date``/``end_date`` may span at most 90 days.  No personal data is ever shown, and
  requests of categories that are not public (``ServiceCategory.public``) are never shown at all; the
  services list still offers those categories, so that other systems can file them.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import re_path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from shequ.core.bounds import check_instance
from shequ.core.exceptions import ActionError, FieldErrors, NotFound

from . import actions
from .actions.requests import category_attributes
from .models import Channel, ServiceCategory, ServiceRequest
from .pickers import fileable_categories

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_RESULTS = 1000
WINDOW = timedelta(days=90)
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def jurisdiction() -> str:
    return str(getattr(settings, "SHEQU_OPEN311_JURISDICTION", "shequ"))


# -- rendering --------------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return iso(value) or ""
    return str(value)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def _xml_children(parent: ET.Element, data: dict[str, Any]) -> None:
    for key, value in data.items():
        child = ET.SubElement(parent, key)
        if isinstance(value, list):
            item_tag = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}[key]
            for item in value:
                element = ET.SubElement(child, item_tag)
                if isinstance(item, dict):
                    _xml_children(element, item)
                else:
                    element.text = _text(item)
        else:
            child.text = _text(value)


def render(data: Any, fmt: str, root: str = "", item: str = "", status: int = 200) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, default=_text)
    else:
        element = ET.Element(root)
        if isinstance(data, list):
            for row in data:
                _xml_children(ET.SubElement(element, item), row)
        else:
            _xml_children(element, data)
        body = '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="unicode")
    return HttpResponse(body, content_type=CONTENT_TYPES[fmt], status=status)


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render([{"code": status, "description": description}], fmt, "errors", "error", status=status)


def endpoint(view: Any) -> Any:
    """Check the format and jurisdiction, turn failures into the specification's error list."""

    def wrapped(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
        fmt = fmt.lower()
        if fmt not in CONTENT_TYPES:
            return error("xml", 404, "Unsupported format: use .xml or .json")
        given = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
        if given and given != jurisdiction():
            return error(fmt, 404, f"jurisdiction_id not found: {given}")
        try:
            return view(request, fmt, **kwargs)
        except Open311Error as exc:
            return error(fmt, exc.status, exc.description)
        except NotFound:
            return error(fmt, 404, "Not found")
        except FieldErrors as exc:  # a value out of the model's bounds: nothing was written
            return error(fmt, 422, "；".join(f"{d['field']}: {d['message']}" for d in exc.details))
        except ActionError as exc:
            return error(fmt, 400, "；".join(exc.messages))

    wrapped.__name__ = view.__name__
    return csrf_exempt(wrapped)


# -- discovery and services -------------------------------------------------------------------------------------


@endpoint
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2")
    changed = ServiceCategory.objects.order_by("-updated").values_list("updated", flat=True).first() or timezone.now()
    data = {
        "changeset": iso(changed),
        "contact": str(getattr(settings, "SHEQU_OPEN311_CONTACT", "")),
        "key_service": str(getattr(settings, "SHEQU_OPEN311_KEY_SERVICE", "")),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": iso(changed),
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(data, fmt, "discovery")


def _services() -> list[ServiceCategory]:
    return list(
        fileable_categories()
        .select_related("parent")
        .prefetch_related("attributes", "parent__attributes")
        .order_by("parent__order", "order", "code")
    )


@endpoint
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    rows = []
    for category in _services():
        has_attributes = bool(category.attributes.all()) or bool(category.parent and category.parent.attributes.all())
        rows.append(
            {
                "service_code": category.code,
                "service_name": category.name,
                "description": category.description or category.name,
                "metadata": has_attributes,
                "type": "realtime",
                "keywords": category.keywords or (category.parent.keywords if category.parent else ""),
                "group": category.group,
            }
        )
    return render(rows, fmt, "services", "service")


def _category(code: str) -> ServiceCategory:
    category = fileable_categories().filter(code=code).select_related("parent").first()
    if category is None:
        raise Open311Error(404, f"service_code not found: {code}")
    return category


@endpoint
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    category = _category(code)
    attributes = []
    for order, attr in enumerate(category_attributes(category), start=1):
        attributes.append(
            {
                "variable": True,
                "code": attr.code,
                "datatype": attr.datatype,
                "required": attr.required,
                "datatype_description": attr.get_datatype_display(),
                "order": order,
                "description": attr.label,
                "values": [
                    {"key": str(v.get("key")), "name": str(v.get("name") or v.get("key"))}
                    for v in attr.values or []
                    if isinstance(v, dict)
                ],
            }
        )
    return render({"service_code": category.code, "attributes": attributes}, fmt, "service_definition")


# -- requests -----------------------------------------------------------------------------------------------------


def request_row(r: ServiceRequest) -> dict[str, Any]:
    return {
        "service_request_id": r.code,
        "status": r.open311_status,
        "status_notes": r.status_notes or None,
        "service_name": r.category.name,
        "service_code": r.category.code,
        "description": r.description,
        "agency_responsible": r.organization.name if r.organization_id and r.organization else None,
        "service_notice": r.tier_name or None,
        "requested_datetime": iso(r.created),
        "updated_datetime": iso(r.updated),
        "expected_datetime": iso(r.deadline),
        "address": r.address or r.node.name,
        "address_id": r.node.code or str(r.node_id),
        "zipcode": None,
        "lat": float(r.lat) if r.lat is not None else (r.node.latitude if r.node.latitude is not None else None),
        "long": float(r.long) if r.long is not None else (r.node.longitude if r.node.longitude is not None else None),
        "media_url": r.media_url or None,
    }


def _base() -> Any:
    """The requests a public feed may show: those of public categories (the others, e.g. social assistance
    or a family dispute, are answered exactly like requests that do not exist)."""
    return ServiceRequest.objects.public().select_related("category", "organization", "node")


def _date(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value.replace(" ", "+"))
    if parsed is None:
        raise Open311Error(400, f"{name} is not a valid ISO 8601 date and time")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _requests_get(request: HttpRequest, fmt: str) -> HttpResponse:
    q = request.GET
    qs = _base()
    ids = [i.strip() for i in (q.get("service_request_id") or "").split(",") if i.strip()]
    if ids:  # the other parameters are ignored
        rows = [request_row(r) for r in qs.filter(code__in=ids[:MAX_RESULTS]).order_by("-created")]
        return render(rows, fmt, "service_requests", "request")
    start, end = _date(q.get("start_date"), "start_date"), _date(q.get("end_date"), "end_date")
    if start and end and end - start > WINDOW:
        raise Open311Error(400, "The date range may not span more than 90 days")
    if start and end and end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end is None:
        end = start + WINDOW if start else timezone.now()
    if start is None:
        start = end - WINDOW
    qs = qs.filter(created__gte=start, created__lte=end)
    codes = [c.strip() for c in (q.get("service_code") or "").split(",") if c.strip()]
    if codes:
        qs = qs.filter(category__code__in=codes)
    statuses = {s.strip().lower() for s in (q.get("status") or "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status must be open or closed")
    if statuses == {"open"}:
        qs = qs.filter(is_open=True)
    elif statuses == {"closed"}:
        qs = qs.filter(is_open=False)
    rows = [request_row(r) for r in qs.order_by("-created")[:MAX_RESULTS]]
    return render(rows, fmt, "service_requests", "request")


def _decimal(value: str | None, name: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise Open311Error(400, f"{name} is not a number") from None


def _place(user: Any, data: Any, lat: Decimal | None, long: Decimal | None) -> Any:
    from shequ.territory.models import Kind, Node

    nodes = Node.objects.restrict(user, "add", perm_model=ServiceRequest).filter(retired=False)
    address_id = (data.get("address_id") or "").strip()
    if address_id:
        node = nodes.filter(code=address_id).first()
        if node is None:
            raise Open311Error(400, f"address_id not found: {address_id}")
        return node
    if lat is not None and long is not None:
        candidates = list(
            nodes.filter(latitude__isnull=False, longitude__isnull=False, kind__in=[Kind.COMMUNITY, Kind.GRID]).only(
                "id", "latitude", "longitude", "path", "name"
            )[:5000]
        )
        if candidates:
            return min(candidates, key=lambda n: (n.latitude - float(lat)) ** 2 + (n.longitude - float(long)) ** 2)
    home = getattr(user, "node", None)
    if home is not None and nodes.filter(pk=home.pk).exists():
        return home
    raise Open311Error(400, "A location is required: lat and long, address_string or address_id")


def _requests_post(request: HttpRequest, fmt: str) -> HttpResponse:
    from shequ.accounts.models import APIToken

    data = request.POST
    key = data.get("api_key") or ""
    user = APIToken.authenticate(key) if key else None
    if user is None:
        raise Open311Error(403, "Invalid api_key received")
    code = data.get("service_code") or ""
    if not code:
        raise Open311Error(400, "service_code is required")
    category = _category(code)
    lat, long = _decimal(data.get("lat"), "lat"), _decimal(data.get("long"), "long")
    check_instance(ServiceRequest(lat=lat, long=long), ("lat", "long"))  # −90…90, −180…180: 422 naming it
    address = (data.get("address_string") or "").strip()
    if (lat is None or long is None) and not address and not data.get("address_id"):
        raise Open311Error(400, "A location is required: lat and long, address_string or address_id")
    node = _place(user, data, lat, long)
    attributes: dict[str, Any] = {}
    for name in data:
        if name.startswith("attribute[") and name.endswith("]"):
            values = data.getlist(name)
            attributes[name[len("attribute[") : -1]] = values if len(values) > 1 else values[0]
    for attr in category_attributes(category):  # a multivaluelist may be sent as attribute[code][]
        many = data.getlist(f"attribute[{attr.code}][]")
        if many:
            attributes[attr.code] = many
    name = " ".join(p for p in (data.get("first_name", ""), data.get("last_name", "")) if p).strip()
    filed = actions.do_file_request(
        acting_user=user,
        category=category,
        node=node,
        description=data.get("description") or category.name,
        channel=Channel.OPEN311,
        contact_name=name,
        phone=data.get("phone") or "",
        email=data.get("email") or "",
        address=address,
        lat=lat,
        long=long,
        attributes=attributes,
        media_url=data.get("media_url") or "",
        external_account=data.get("account_id") or data.get("device_id") or "",
        actor_label="Open311",
    )
    row = {"service_request_id": filed.code, "service_notice": filed.tier_name or None, "account_id": None}
    return render([row], fmt, "service_requests", "request", status=201)


@endpoint
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _requests_post(request, fmt)
    if request.method != "GET":
        raise Open311Error(405, "Method not allowed")
    return _requests_get(request, fmt)


@endpoint
def single_request(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    found = _base().filter(code=code).first()
    if found is None:
        raise Open311Error(404, f"service_request_id not found: {code}")
    return render([request_row(found)], fmt, "service_requests", "request")


urlpatterns = [
    re_path(r"^discovery\.(?P<fmt>\w+)$", discovery, name="open311_discovery"),
    re_path(r"^services\.(?P<fmt>\w+)$", services, name="open311_services"),
    re_path(r"^services/(?P<code>[\w-]+)\.(?P<fmt>\w+)$", service_definition, name="open311_service"),
    re_path(r"^requests\.(?P<fmt>\w+)$", requests_view, name="open311_requests"),
    re_path(r"^requests/(?P<code>[\w-]+)\.(?P<fmt>\w+)$", single_request, name="open311_request"),
]
