from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "shequ.orgs"
    label = "orgs"
    verbose_name = _("Organizations")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .indicators import register_all

        register_all()

        from shequ.core.importing import register_command_name
        from shequ.core.menu import MenuItem, register_menu
        from shequ.core.registry import SEEDERS

        from .demo import seed_organizations
        from .models import Organization, Post

        register_menu(
            _("Organizations"),
            [
                MenuItem(_("Organizations"), "orgs:organization_list"),
                MenuItem(_("Posts"), "orgs:post_list"),
                MenuItem(_("Cross-posting and coverage"), "orgs:metrics"),
            ],
        )
        register_command_name("organizations", "orgs.organization")
        register_command_name("posts", "orgs.post")
        if seed_organizations not in SEEDERS:
            SEEDERS.append(seed_organizations)

        auditlog.register(
            Organization,
            include_fields=[
                "name",
                "kind",
                "node",
                "parent",
                "code",
                "established_on",
                "phone",
                "address",
                "registration",
                "filed_on",
                "registered_on",
                "contract_start",
                "contract_end",
                "has_party_org",
                "party_work_carried_out",
                "active",
                "dissolved_on",
                "dissolved_reason",
            ],
            m2m_fields={"estates", "members"},
        )
        auditlog.register(
            Post,
            include_fields=["organization", "person", "person_name", "title", "title_other", "start_date", "end_date"],
        )
