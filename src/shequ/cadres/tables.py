from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from shequ.core.tables import SelectableTable

from .models import Assessment, Cadre, Course, PayGrade, PayTable, Qualification, Sanction, TrainingRecord


def _link(record: object) -> str:
    return record.get_absolute_url()  # type: ignore[attr-defined]


class CadreTable(SelectableTable):
    name = tables.Column(verbose_name=_("Name"), linkify=_link)
    number = tables.Column(verbose_name=_("Worker number"))
    node = tables.Column(verbose_name=_("Works at"), order_by=("path",))
    source = tables.Column(verbose_name=_("Source"))
    reserve = tables.BooleanColumn(verbose_name=_("Reserve cadre"))
    active = tables.BooleanColumn(verbose_name=_("In service"))

    class Meta(SelectableTable.Meta):
        model = Cadre
        fields = ("pk", "name", "number", "node", "source", "reserve", "active")


class CourseTable(SelectableTable):
    title = tables.Column(verbose_name=_("Course"), linkify=_link)
    organiser = tables.Column(verbose_name=_("Organiser"))
    kind = tables.Column(verbose_name=_("Kind"))
    starts_on = tables.DateColumn(verbose_name=_("From"), format="Y-m-d")
    ends_on = tables.DateColumn(verbose_name=_("To"), format="Y-m-d")
    hours = tables.Column(verbose_name=_("Hours"))

    class Meta(SelectableTable.Meta):
        model = Course
        fields = ("pk", "title", "organiser", "kind", "starts_on", "ends_on", "hours")


class TrainingRecordTable(SelectableTable):
    cadre = tables.Column(verbose_name=_("Community worker"), accessor="cadre__name", linkify=_link)
    course = tables.Column(verbose_name=_("Course"), accessor="course__title")
    attended_on = tables.DateColumn(verbose_name=_("Date"), format="Y-m-d")
    hours = tables.Column(verbose_name=_("Hours"))

    class Meta(SelectableTable.Meta):
        model = TrainingRecord
        fields = ("pk", "cadre", "course", "attended_on", "hours")


class QualificationTable(SelectableTable):
    cadre = tables.Column(verbose_name=_("Community worker"), accessor="cadre__name", linkify=_link)
    level = tables.Column(verbose_name=_("Level"))
    certificate_no = tables.Column(verbose_name=_("Certificate number"))
    obtained_on = tables.DateColumn(verbose_name=_("Obtained on"), format="Y-m-d")

    class Meta(SelectableTable.Meta):
        model = Qualification
        fields = ("pk", "cadre", "level", "certificate_no", "obtained_on")


class PayTableTable(SelectableTable):
    year = tables.Column(verbose_name=_("Year"), linkify=_link)
    node = tables.Column(verbose_name=_("Place"), order_by=("path",))
    average_wage = tables.Column(verbose_name=_("Average wage of the previous year"))
    city_share = tables.Column(verbose_name=_("City's share (%)"))

    class Meta(SelectableTable.Meta):
        model = PayTable
        fields = ("pk", "year", "node", "average_wage", "city_share")


class PayGradeTable(SelectableTable):
    cadre = tables.Column(verbose_name=_("Community worker"), accessor="cadre__name", linkify=_link)
    category = tables.Column(verbose_name=_("Post category"))
    grade = tables.Column(verbose_name=_("Grade"))
    since = tables.DateColumn(verbose_name=_("From"), format="Y-m-d")
    reason = tables.Column(verbose_name=_("Reason"))

    class Meta(SelectableTable.Meta):
        model = PayGrade
        fields = ("pk", "cadre", "category", "grade", "since", "reason")


class AssessmentTable(SelectableTable):
    year = tables.Column(verbose_name=_("Year"), linkify=_link)
    subject = tables.Column(verbose_name=_("Assessed"), accessor="subject", orderable=False)
    result = tables.Column(verbose_name=_("Result"))
    use = tables.Column(verbose_name=_("Result used for"))
    status = tables.Column(verbose_name=_("Status"))

    class Meta(SelectableTable.Meta):
        model = Assessment
        fields = ("pk", "year", "subject", "result", "use", "status")


class SanctionTable(SelectableTable):
    title = tables.Column(verbose_name=_("What"), linkify=_link)
    kind = tables.Column(verbose_name=_("Kind"))
    cadre = tables.Column(verbose_name=_("Community worker"), accessor="cadre__name", default="—")
    organization = tables.Column(verbose_name=_("Organization"), default="—")
    document_no = tables.Column(verbose_name=_("Document number"))
    decided_on = tables.DateColumn(verbose_name=_("Decided on"), format="Y-m-d")

    class Meta(SelectableTable.Meta):
        model = Sanction
        fields = ("pk", "title", "kind", "cadre", "organization", "document_no", "decided_on")
