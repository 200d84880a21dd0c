from django.urls import include, path

from . import views

app_name = "territory"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("map/", views.map_view, name="map"),
    path("map/layers/<slug:key>/", views.map_layer, name="map_layer"),
    path("pick/", views.node_pick, name="node_pick"),
    path("nodes/", include(views.NodeViewSet.urls())),
    path("nodes/<str:pk>/", views.node_detail, name="node_detail"),
    path("nodes/<str:pk>/move/", views.node_move, name="node_move"),
    path("nodes/<str:pk>/retire/", views.node_retire, name="node_retire"),
    path("nodes/<str:pk>/restore/", views.node_restore, name="node_restore"),
    path("nodes/<str:pk>/geojson/", views.node_geojson, name="node_geojson"),
]
