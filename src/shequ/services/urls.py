from django.urls import include, path

from . import dashboard, portal, views

app_name = "services"
urlpatterns = [
    path("intake/", views.intake, name="intake"),
    path("requests/", include(views.ServiceRequestViewSet.urls())),
    path("subtasks/", include(views.SubTaskViewSet.urls())),
    path("subtasks/<str:pk>/done/", views.subtask_done, name="subtask_done"),
    path("attachments/<str:pk>/", views.attachment_download, name="attachment"),
    path("dashboard/", dashboard.dashboard_page, name="dashboard"),
    path("dashboard/export/", dashboard.dashboard_export, name="dashboard_export"),
    path("portal/", portal.submit, name="portal"),
    path("portal/filed/", portal.filed, name="portal_filed"),
    path("portal/track/", portal.track, name="portal_track"),
    path("portal/rate/", portal.rate, name="portal_rate"),
    path("portal/places/", portal.places, name="portal_places"),
    path("portal/statistics/", portal.statistics, name="portal_statistics"),
    path("category-questions/", portal.category_questions, name="category_questions"),
    path("catalogue/", include(views.ServiceCategoryViewSet.urls())),
    path("questions/", include(views.ServiceAttributeViewSet.urls())),
    path("tiers/", include(views.DeadlineTierViewSet.urls())),
    path("routing/", include(views.RoutingRuleViewSet.urls())),
]
