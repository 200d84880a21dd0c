from django.urls import include, path

from . import views

app_name = "orgs"
urlpatterns = [
    path("organizations/", include(views.OrganizationViewSet.urls())),
    path("organizations/<str:pk>/dissolve/", views.organization_dissolve, name="organization_dissolve"),
    path("organizations/<str:pk>/estates/add/", views.estate_add, name="estate_add"),
    path("organizations/<str:pk>/estates/<str:node_pk>/remove/", views.estate_remove, name="estate_remove"),
    path("organizations/<str:pk>/members/add/", views.member_add, name="member_add"),
    path("organizations/<str:pk>/members/<str:member_pk>/remove/", views.member_remove, name="member_remove"),
    path("posts/", include(views.PostViewSet.urls())),
    path("posts/<str:pk>/end/", views.post_end, name="post_end"),
    path("pick/organizations/", views.organization_pick, name="organization_pick"),
    path("pick/residents/", views.resident_pick, name="resident_pick"),
    path("metrics/", views.metrics_page, name="metrics"),
    path("metrics/export/", views.metrics_export, name="metrics_export"),
]
