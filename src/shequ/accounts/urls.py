from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

app_name = "accounts"
urlpatterns = [
    path("me/", views.profile, name="profile"),
    path(
        "me/password/",
        auth_views.PasswordChangeView.as_view(success_url="/accounts/me/"),
        name="password_change",
    ),
    path("users/<str:pk>/grant/", views.grant_add, name="grant_add"),
    path("grants/<str:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("users/", include(views.UserViewSet.urls())),
    path("grants/", include(views.GrantViewSet.urls())),
]
