from django.urls import include, path

from . import pages, views

app_name = "party"
urlpatterns = [
    path("members/<str:pk>/archive.xlsx", pages.member_archive_export, name="member_archive_export"),
    path("members/", include(views.PartyMemberViewSet.urls())),
    *views.step_urls("members", "member", views._member, views.MEMBER_STEPS),
    path("development/", include(views.DevelopmentRecordViewSet.urls())),
    *views.step_urls("development", "development", views._record, views.DEVELOPMENT_STEPS),
    path("transfers/incoming/", views.transfer_incoming, name="transfer_incoming"),
    path("transfers/", include(views.RelationTransferViewSet.urls())),
    *views.step_urls("transfers", "transfer", views._transfer, views.TRANSFER_STEPS),
    path("reports/", include(views.CommunityReportViewSet.urls())),
    *views.step_urls("reports", "report", views._report, views.REPORT_STEPS),
    path("dues/", include(views.DuesPaymentViewSet.urls())),
    path("dues-arrears/", pages.arrears_page, name="arrears"),
    path("due/", pages.due_page, name="due"),
    path("statistics/", pages.stats_page, name="stats"),
    path("statistics/export/", pages.stats_export, name="stats_export"),
    path("reporting/", pages.reporting_page, name="reporting"),
    path("reporting/export/", pages.reporting_export, name="reporting_export"),
    path("outstanding/", pages.outstanding_page, name="outstanding"),
    path("outstanding/export/", pages.outstanding_export, name="outstanding_export"),
    path("pick/members/", pages.member_pick, name="member_pick"),
    path("pick/organizations/", pages.org_pick, name="org_pick"),
]
