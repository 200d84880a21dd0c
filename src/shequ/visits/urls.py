from django.urls import include, path

from . import views

app_name = "visits"
urlpatterns = [
    path("visits/add/", views.visit_add, name="visit_add"),
    path("visits/", include(views.VisitViewSet.urls())),
    path("visits/<str:pk>/request/", views.follow_up, name="follow_up"),
    path("photos/<str:pk>/", views.photo, name="photo"),
    path("links/", include(views.HouseholdLinkViewSet.urls())),
    path("coverage/", views.links_page, name="links"),
    path("due/", views.due_page, name="due"),
    path("tasks/", include(views.MustArriveTaskViewSet.urls())),
    path("intervals/", include(views.VisitRuleViewSet.urls())),
    path("pick/households/", views.household_pick, name="household_pick"),
    path("pick/members/", views.member_pick, name="member_pick"),
]
