from django.urls import include, path

from . import portal, views

app_name = "volunteers"
urlpatterns = [
    path("volunteers/", include(views.VolunteerViewSet.urls())),
    path("volunteers/<str:pk>/certificate/", views.certificate, name="certificate"),
    path("members/", include(views.TeamMembershipViewSet.urls())),
    path("members/<str:pk>/end/", views.membership_end, name="membership_end"),
    path("activities/", include(views.ActivityViewSet.urls())),
    path("activities/<str:pk>/signups/add/", views.signup_add, name="signup_add"),
    path("signups/<str:pk>/attendance/", views.signup_attendance, name="signup_attendance"),
    path("signups/<str:pk>/cancel/", views.signup_cancel, name="signup_cancel"),
    path("hours/", include(views.ServiceHoursViewSet.urls())),
    path("skills/", include(views.SkillViewSet.urls())),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<str:pk>/", views.team_detail, name="team_detail"),
    path("missing/", views.missing_page, name="missing"),
    path("missing/enrol/", views.enrol, name="enrol"),
    path("pick/volunteers/", views.volunteer_pick, name="volunteer_pick"),
    path("portal/", portal.activities, name="portal"),
    path("portal/activities/<str:pk>/", portal.activity, name="portal_activity"),
    path("portal/code/", portal.send_code, name="portal_code"),
    path("portal/verify/", portal.verify, name="portal_verify"),
    path("portal/mine/", portal.mine, name="portal_mine"),
    path("portal/signups/<str:pk>/cancel/", portal.cancel, name="portal_cancel"),
    path("portal/hours/", portal.log_hours, name="portal_hours"),
    path("portal/logout/", portal.forget, name="portal_forget"),
]
