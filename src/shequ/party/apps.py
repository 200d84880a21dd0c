from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "shequ.party"
    label = "party"
    verbose_name = _("Party members")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from shequ.core.registry import TODO

        from .indicators import register_all
        from .today import todo

        register_all()
        TODO.append(todo)

        from shequ.core.importing import register_command_name
        from shequ.core.menu import MenuItem, register_menu
        from shequ.core.registry import DEMO_LOGINS, SEEDERS

        from .demo import demo_logins, seed_party
        from .models import CommunityReport, DevelopmentRecord, DuesPayment, MemberEvent, PartyMember, RelationTransfer

        # The identity number itself is never audited: only its masked form.
        auditlog.register(
            PartyMember,
            include_fields=[
                "name",
                "id_masked",
                "gender",
                "birth_date",
                "phone",
                "education",
                "occupation",
                "work_unit",
                "status",
                "status_changed_on",
                "category",
                "organization",
                "joined_on",
                "probation_ends",
                "probation_extended",
                "converted_on",
                "dues_base",
                "basic_allowance",
                "resident",
            ],
        )
        auditlog.register(MemberEvent, include_fields=["member", "kind", "on", "title", "hours"])
        auditlog.register(
            DevelopmentRecord,
            include_fields=[
                "name",
                "id_masked",
                "organization",
                "stage",
                "applied_on",
                "activist_on",
                "target_on",
                "admitted_on",
                "converted_on",
                "contact_1",
                "contact_2",
                "introducer_1",
                "introducer_2",
                "stopped_on",
                "stopped_reason",
            ],
        )
        auditlog.register(
            RelationTransfer,
            include_fields=[
                "member",
                "person_name",
                "kind",
                "status",
                "from_org",
                "to_org",
                "outside_org",
                "letter_number",
                "valid_until",
                "approved_on",
                "closed_on",
                "response",
            ],
        )
        auditlog.register(CommunityReport, include_fields=["member", "node", "branch", "registered_on", "ended_on"])
        register_menu(
            _("Party members"),
            [
                MenuItem(_("Party members"), "party:partymember_list"),
                MenuItem(_("Development"), "party:developmentrecord_list"),
                MenuItem(_("Due for the next step"), "party:due"),
                MenuItem(_("Relation transfers"), "party:relationtransfer_list"),
                MenuItem(_("Reports to the home community"), "party:communityreport_list"),
                MenuItem(_("Reporting rate per community"), "party:reporting"),
                MenuItem(_("Outstanding on-the-job members"), "party:outstanding"),
                MenuItem(_("Dues payments"), "party:duespayment_list"),
                MenuItem(_("Dues arrears"), "party:arrears"),
                MenuItem(_("Party member statistics"), "party:stats"),
            ],
        )
        register_command_name("party-members", "party.partymember")
        if seed_party not in SEEDERS:
            SEEDERS.append(seed_party)
        if demo_logins not in DEMO_LOGINS:
            DEMO_LOGINS.append(demo_logins)
        auditlog.register(DuesPayment, include_fields=["member", "month", "base", "amount", "paid_on"])
