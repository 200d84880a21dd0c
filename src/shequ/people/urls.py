from django.urls import include, path

from . import views

app_name = "people"
urlpatterns = [
    path("residents/", include(views.ResidentViewSet.urls())),
    path("residents/<str:pk>/archive/", views.resident_archive, name="resident_archive"),
    path("residents/<str:pk>/restore/", views.resident_restore, name="resident_restore"),
    path("residents/<str:pk>/move/", views.resident_move, name="resident_move"),
    path("households/", include(views.HouseholdViewSet.urls())),
    path("households/<str:pk>/move/", views.household_move, name="household_move"),
    path("households/<str:pk>/members/add/", views.household_add_member, name="household_add_member"),
    path("households/<str:pk>/members/remove/", views.household_remove_member, name="household_remove_member"),
    path("households/<str:pk>/head/", views.household_set_head, name="household_set_head"),
    path("households/<str:pk>/split/", views.household_split, name="household_split"),
    path("households/<str:pk>/merge/", views.household_merge, name="household_merge"),
    path("tags/", include(views.CareTagViewSet.urls())),
]
