from django.urls import path

from .views import misc, notifications, targets, targets_pdf

app_name = "core"
urlpatterns = [
    path("search/", misc.search, name="search"),
    path("audit/", misc.audit_list, name="audit_list"),
    path("jobs/", misc.job_list, name="job_list"),
    path("jobs/<str:pk>/", misc.job_detail, name="job_detail"),
    path("jobs/<str:pk>/apply/", misc.job_apply, name="job_apply"),
    path("jobs/<str:pk>/rerun/", misc.job_rerun, name="job_rerun"),
    path("jobs/<str:pk>/report/", misc.job_report, name="job_report"),
    path("jobs/<str:pk>/download/", misc.job_download, name="job_download"),
    path("targets/", targets.targets_page, name="targets"),
    path("targets/export/", targets.targets_export, name="targets_export"),
    path("targets/report.pdf", targets_pdf.targets_pdf, name="targets_pdf"),
    path("targets/<str:code>/", targets.target_detail, name="target_detail"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/read/", notifications.notification_read_all, name="notification_read_all"),
    path("notifications/<str:pk>/", notifications.notification_open, name="notification_open"),
]
