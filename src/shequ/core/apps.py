from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shequ.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.apps import apps
        from django.contrib.auth.signals import user_logged_in
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_save

        from . import exports, signals  # noqa: F401  (exports: the background export's job handler)
        from .bounds import guard_save
        from .counts import watch_connection
        from .fastload import install
        from .indicators import refresh_due
        from .jobs import reap
        from .maplayers import register_core_layers
        from .pgtimes import fast_timestamps
        from .registry import PERIODIC, remember_personal_links
        from .tables import remember_signatures

        PERIODIC["indicators"] = refresh_due
        PERIODIC["jobs"] = reap  # running jobs whose process is gone: interrupted; the worker's rows settled
        register_core_layers()
        remember_signatures()
        user_logged_in.connect(remember_personal_links, dispatch_uid="shequ.core.personal_links")
        post_migrate.connect(restore_standard_lists, sender=self, dispatch_uid="shequ.core.standard_lists")
        pre_save.connect(guard_save, dispatch_uid="shequ.core.bounds")  # nothing out of bounds is ever saved
        connection_created.connect(watch_connection, dispatch_uid="shequ.core.counts")  # remembered counts
        connection_created.connect(fast_timestamps, dispatch_uid="shequ.core.pgtimes")
        install(apps.get_models(include_auto_created=True))  # rows read without Model.__init__ (fastload)


def restore_standard_lists(using: str = "default", **kwargs: object) -> None:
    """After ``migrate`` (and after a test's ``flush``, which sends the same signal): the lists the data
    migrations fill — the service catalogue, the care tags, the volunteers' skills — put back when a list is
    empty altogether (never a single entry an administrator removed on purpose)."""
    import importlib

    from shequ.people.demo import ensure_standard_tags
    from shequ.people.models import CareTag
    from shequ.services.catalogue import install_standard_catalogue
    from shequ.services.models import ServiceCategory
    from shequ.volunteers.models import Skill

    if not ServiceCategory.objects.using(using).exists():
        install_standard_catalogue()
    if not CareTag.objects.using(using).exists():
        ensure_standard_tags()
    if not Skill.objects.using(using).exists():
        skills = importlib.import_module("shequ.volunteers.migrations.0002_standard_skills").STANDARD_SKILLS
        Skill.objects.using(using).bulk_create(Skill(code=code, name=name) for code, name in skills)
