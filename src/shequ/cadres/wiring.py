"""What the community workers' app adds to the shared registries (``AppConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register_all() -> None:
    from auditlog.registry import auditlog

    from shequ.core.importing import register_command_name
    from shequ.core.menu import MenuItem, register_menu
    from shequ.core.registry import DEMO_LOGINS, PERSONAL_LINKS, SEEDERS, TODO

    from . import indicators
    from .demo import demo_logins, seed_cadres
    from .models import Assessment, Cadre, Course, PayGrade, PayTable, Qualification, Sanction, TrainingRecord

    indicators.register_all()
    if indicators.todo not in TODO:
        TODO.append(indicators.todo)
    register_command_name("community-workers", "cadres.cadre")
    register_command_name("training", "cadres.trainingrecord")
    register_command_name("pay-tables", "cadres.paytable")
    register_menu(
        _("Community workers"),
        [
            MenuItem(_("Community workers"), "cadres:cadre_list", "cadres.cadre"),
            MenuItem(_("Training courses"), "cadres:course_list", "cadres.course"),
            MenuItem(_("Training attendance"), "cadres:trainingrecord_list", "cadres.trainingrecord"),
            MenuItem(_("Training hours"), "cadres:training_hours", "cadres.trainingrecord"),
            MenuItem(_("Social-work qualifications"), "cadres:qualification_list", "cadres.qualification"),
            MenuItem(_("Social-work professionals"), "cadres:professionals", "cadres.qualification"),
            MenuItem(_("Pay tables"), "cadres:paytable_list", "cadres.paytable"),
            MenuItem(_("Pay grades"), "cadres:paygrade_list", "cadres.paygrade"),
            MenuItem(_("Grade rises by years of service"), "cadres:seniority", "cadres.paygrade"),
            MenuItem(_("Paid below the average wage"), "cadres:below_average", "cadres.paytable"),
            MenuItem(_("Assessments"), "cadres:assessment_list", "cadres.assessment"),
            MenuItem(_("Rewards and punishments"), "cadres:sanction_list", "cadres.sanction"),
        ],
    )
    own_file = (_("My file"), "cadres:mine", has_own_file)
    if own_file not in PERSONAL_LINKS:
        PERSONAL_LINKS.append(own_file)
    if seed_cadres not in SEEDERS:
        SEEDERS.append(seed_cadres)
    if demo_logins not in DEMO_LOGINS:
        DEMO_LOGINS.append(demo_logins)
    auditlog.register(
        Cadre,
        include_fields=[
            "number", "name", "node", "gender", "birth_date", "phone", "resident", "user", "source", "employer",
            "contract_start", "contract_end", "service_start", "education", "political_status", "degree", "reserve",
            "reserve_for", "pension", "medical", "unemployment", "injury", "maternity", "housing_fund",
            "last_exam_on", "active", "left_on",
        ],
    )  # fmt: skip
    auditlog.register(Course, include_fields=["title", "organiser", "kind", "node", "starts_on", "ends_on", "hours"])
    auditlog.register(TrainingRecord, include_fields=["cadre", "course", "attended_on", "hours"])
    auditlog.register(Qualification, include_fields=["cadre", "level", "certificate_no", "obtained_on"])
    # Confidential: their entries are shown only to who may see the records (``core.models.AuditQuerySet``).
    auditlog.register(PayTable, include_fields=["node", "year", "average_wage", "city_share"])
    auditlog.register(PayGrade, include_fields=["cadre", "category", "grade", "since", "reason"])
    auditlog.register(Assessment, include_fields=["year", "cadre", "organization", "result", "use", "status"])
    auditlog.register(Sanction, include_fields=["kind", "cadre", "organization", "title", "document_no", "decided_on"])


def has_own_file(user: object) -> bool:
    """A community worker with an account finds their own file in the account menu."""
    from .models import Cadre

    return Cadre.objects.filter(user_id=int(getattr(user, "pk", 0) or 0)).exists()
