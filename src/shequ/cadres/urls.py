from django.urls import include, path

from . import views

app_name = "cadres"
urlpatterns = [
    path("workers/", include(views.CadreViewSet.urls())),
    path("courses/", include(views.CourseViewSet.urls())),
    path("training/", include(views.TrainingRecordViewSet.urls())),
    path("training-hours/", views.training_hours, name="training_hours"),
    path("qualifications/", include(views.QualificationViewSet.urls())),
    path("professionals/", views.professionals, name="professionals"),
    path("pay-tables/", include(views.PayTableViewSet.urls())),
    path("grades/", include(views.PayGradeViewSet.urls())),
    path("seniority/", views.seniority, name="seniority"),
    path("below-average/", views.below_average, name="below_average"),
    path("salary/", views.salary_sheet, name="salary_sheet"),
    path("assessments/", include(views.AssessmentViewSet.urls())),
    path("rewards/", include(views.SanctionViewSet.urls())),
    path("mine/", views.mine, name="mine"),
]
