from django.urls import include, path

from . import views

app_name = "mediation"
urlpatterns = [
    path("cases/", include(views.MediationCaseViewSet.urls())),
    path("cases/<str:pk>/agreement/", views.agreement_print, name="agreement_print"),
    path("cases/<str:pk>/agreement.pdf", views.agreement_pdf, name="agreement_pdf"),
    path("mediators/", include(views.MediatorViewSet.urls())),
    path("figures/", views.figures, name="figures"),
    path("figures/export/", views.figures_export, name="figures_export"),
]
