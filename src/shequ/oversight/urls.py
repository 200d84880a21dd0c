from django.urls import include, path

from . import parttime, portal, views, views_meetings, views_opinions

app_name = "oversight"
urlpatterns = [
    path("entries/", include(views.EntryApplicationViewSet.urls())),
    path("campaigns/", include(views.CampaignViewSet.urls())),
    path("campaigns/<str:pk>/answer/", views.paper_answer, name="paper_answer"),
    path("complaints/", views.complaints_page, name="complaints"),
    path("terminations/", include(views.TerminationCaseViewSet.urls())),
    path("agreements/missing/", views.missing_agreements, name="missing_agreements"),
    path("agreements/", include(views.AgreementViewSet.urls())),
    path("commitments/", include(views.CommitmentViewSet.urls())),
    path("hearings/", include(views.HearingViewSet.urls())),
    path("consents/documents/<str:pk>/", views.consent_document, name="consent_document"),
    path("consents/", include(views.ConsentRequestViewSet.urls())),
    path("supervision-notes/", include(views_meetings.SupervisionNoteViewSet.urls())),
    path("meetings/", include(views_meetings.JointMeetingViewSet.urls())),
    path("action-items/", include(views_meetings.ActionItemViewSet.urls())),
    path("joint-activities/", include(views_meetings.JointActivityViewSet.urls())),
    path("part-time-members/", parttime.part_time_members_page, name="part_time_members"),
    path("promotion-opinions/", include(views_opinions.PromotionOpinionViewSet.urls())),
    path("portal/", portal.surveys, name="portal_surveys"),
    path("portal/<str:pk>/", portal.survey, name="portal_survey"),
]
