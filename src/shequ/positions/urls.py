from django.urls import include, path

from . import views

app_name = "positions"
urlpatterns = [
    path("facilities/", include(views.FacilityViewSet.urls())),
    path("inspections/", include(views.StandardCheckViewSet.urls())),
    path("brands/", include(views.CulturalBrandViewSet.urls())),
    path("events/", include(views.CulturalEventViewSet.urls())),
    path("accounts/", include(views.FundAccountViewSet.urls())),
    path("entries/", include(views.LedgerEntryViewSet.urls())),
    path("statements/", include(views.StatementViewSet.urls())),
    path("facilities/<str:pk>/photos/add/", views.facility_photo_add, name="facility_photo_add"),
    path("photos/<str:pk>/", views.facility_photo, name="facility_photo"),
    path("photos/<str:pk>/delete/", views.facility_photo_delete, name="facility_photo_delete"),
    path("vouchers/<str:pk>/", views.voucher, name="voucher"),
    path("standards/", views.standards, name="standards"),
    path("funds/", views.funds_summary, name="funds"),
    path("portal/", views.portal_statements, name="portal"),
    path("portal/<str:pk>/", views.portal_statement, name="portal_statement"),
]
