from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "shequ.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from shequ.core.importing import register_command_name
        from shequ.core.maplayers import MapLayer, register_layer
        from shequ.core.menu import MenuItem, register_menu
        from shequ.core.registry import SEEDERS

        from .demo import seed_people
        from .maplayers import care_households
        from .models import CareTag, Household, Resident

        register_layer(
            MapLayer(
                "care", _("Special care, per building"), "people.resident", care_households, color="#7c3aed", order=30
            )
        )

        # The identity number itself is never audited: only its masked form.
        auditlog.register(
            Resident,
            include_fields=[
                "name",
                "id_masked",
                "gender",
                "birth_date",
                "phone",
                "ethnicity",
                "education",
                "political_status",
                "employment",
                "residence_type",
                "node",
                "household",
                "relation",
                "archived",
                "archived_reason",
                "archived_on",
                "notes",
            ],
            m2m_fields={"tags"},
        )
        auditlog.register(Household, include_fields=["number", "address", "head", "node", "dissolved"])
        auditlog.register(CareTag, include_fields=["code", "name", "description", "active"])
        register_menu(
            _("People"),
            [
                MenuItem(_("Residents"), "people:resident_list"),
                MenuItem(_("Households"), "people:household_list"),
                MenuItem(_("Special-care tags"), "people:caretag_list"),
            ],
        )
        register_command_name("residents", "people.resident")
        register_command_name("households", "people.household")
        if seed_people not in SEEDERS:
            SEEDERS.append(seed_people)
