"""The HTTP API at /api/v1/ (OpenAPI docs at /api/v1/docs)."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from shequ.accounts import api as accounts_api
from shequ.cadres import api as cadres_api
from shequ.core import api_routes
from shequ.core.api import build_api
from shequ.governance import api as governance_api
from shequ.mediation import api as mediation_api
from shequ.orgs import api as orgs_api
from shequ.oversight import api as oversight_api
from shequ.party import api as party_api
from shequ.people import api as people_api
from shequ.positions import api as positions_api
from shequ.services import api as services_api
from shequ.territory import api as territory_api
from shequ.visits import api as visits_api
from shequ.volunteers import api as volunteers_api

api = build_api()
api.add_router("/nodes", territory_api.router)
api.add_router("/users", accounts_api.users)
api.add_router("/grants", accounts_api.grants)
api.add_router("/me", accounts_api.me)
api.add_router("/search", api_routes.search)
api.add_router("/jobs", api_routes.jobs)
api.add_router("/audit", api_routes.audit)
api.add_router("/notifications", api_routes.notifications)
api.add_router("/targets", api_routes.targets)
api.add_router("/people", people_api.router)
api.add_router("/orgs", orgs_api.router)
api.add_router("/party", party_api.router)
api.add_router("/services", services_api.router)
api.add_router("/volunteers", volunteers_api.router)
api.add_router("/visits", visits_api.router)
api.add_router("/mediation", mediation_api.router)
api.add_router("/cadres", cadres_api.router)
api.add_router("/governance", governance_api.router)
api.add_router("/oversight", oversight_api.router)
api.add_router("/positions", positions_api.router)


@api.get("/", auth=None, include_in_schema=False, url_name="index")
def index(request: HttpRequest) -> dict[str, Any]:
    """The API's own address: where the documentation is and which resources there are (JSON, not a page)."""
    base = request.path
    return {
        "name": api.title,
        "version": api.version,
        "docs": reverse("api:openapi-view"),
        "openapi": reverse("api:openapi-json"),
        "authentication": "Authorization: Bearer <token> (shequ token USERNAME), or the session of a signed-in user",
        "resources": {prefix.strip("/"): f"{base}{prefix.strip('/')}/" for prefix, _router in api._routers if prefix},
    }
