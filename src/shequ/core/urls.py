from django.urls import path

from .views import misc

app_name = "core"
urlpatterns = [
    path("search/", misc.search, name="search"),
    path("audit/", misc.audit_list, name="audit_list"),
    path("jobs/", misc.job_list, name="job_list"),
    path("jobs/<str:pk>/", misc.job_detail, name="job_detail"),
    path("jobs/<str:pk>/apply/", misc.job_apply, name="job_apply"),
    path("jobs/<str:pk>/report/", misc.job_report, name="job_report"),
]
