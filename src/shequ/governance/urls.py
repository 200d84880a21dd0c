from django.urls import include, path

from . import views

app_name = "governance"
urlpatterns = [
    path("decisions/", include(views.DecisionViewSet.urls())),
    path("disclosures/", include(views.DisclosureViewSet.urls())),
    path("duties/", include(views.RequirementViewSet.urls())),
    path("rules/", include(views.RulesViewSet.urls())),
    path("lists/", include(views.AccessListViewSet.urls())),
    path("lists/<str:pk>/in-force/", views.put_in_force, name="put_in_force"),
    path("lists/<str:pk>/new-version/", views.new_version, name="new_version"),
    path("listed/", include(views.AccessItemViewSet.urls())),
    path("handovers/", include(views.HandoverViewSet.urls())),
    path("attachments/<str:pk>/", views.attachment, name="attachment"),
    path("figures/", views.figures, name="figures"),
    path("board/", views.board_index, name="board_index"),
    path("board/<str:pk>/", views.board, name="board"),
    path("board/comment/<str:pk>/", views.comment, name="comment"),
]
