from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from .api import api
from .core.api import nested_urls
from .core.views import misc, today

urlpatterns = [
    path("", today.today, name="home"),
    path("health/", misc.health, name="health"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", (nested_urls(api.urls[0]), *api.urls[1:])),  # type: ignore[arg-type]
    path("territory/", include("shequ.territory.urls")),
    path("accounts/", include("shequ.accounts.urls")),
    path("people/", include("shequ.people.urls")),
    path("orgs/", include("shequ.orgs.urls")),
    path("party/", include("shequ.party.urls")),
    path("services/", include("shequ.services.urls")),
    path("volunteers/", include("shequ.volunteers.urls")),
    path("visits/", include("shequ.visits.urls")),
    path("mediation/", include("shequ.mediation.urls")),
    path("cadres/", include("shequ.cadres.urls")),
    path("governance/", include("shequ.governance.urls")),
    path("oversight/", include("shequ.oversight.urls")),
    path("positions/", include("shequ.positions.urls")),
    path("open311/v2/", include("shequ.services.open311")),
    path("", include("shequ.core.urls")),
]

handler404 = "shequ.core.views.errors.page_not_found"
handler403 = "shequ.core.views.errors.permission_denied"
handler500 = "shequ.core.views.errors.server_error"
