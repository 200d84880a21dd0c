"""One member's whole archive, as the archive page shows it and as it is exported (.xlsx and the API):
the record, the development that led to it, every line of the timeline, the posts held (from the
organizations' register of posts, for a member who is a resident), the relation transfers the reader may
see, and the dues paid."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from shequ.core.exceptions import ActionError
from shequ.orgs.models import Post

from .dues import monthly_dues
from .models import DevelopmentRecord, DuesPayment, MemberEvent, PartyMember, RelationTransfer
from .privacy import shown_id_number


@dataclass
class Archive:
    member: PartyMember
    id_number: str  # as the reader may see it: full, or masked
    events: list[MemberEvent]
    transfers: list[RelationTransfer]
    posts: list[Post]  # held or once held, as the register of posts records them (within the reader's scope)
    payments: list[DuesPayment]
    development: DevelopmentRecord | None
    monthly_dues: Decimal | None  # None: the income needed to compute them is not recorded

    def details(self) -> list[tuple[str, Any]]:
        """The record as (label, value) rows, values as shown (choices by their names)."""
        m = self.member
        fields = PartyMember._meta

        def label(name: str) -> str:
            return str(getattr(fields.get_field(name), "verbose_name", name)).capitalize()

        return [
            (label("name"), m.name),
            (_("Identity number"), self.id_number),
            (label("gender"), m.get_gender_display()),
            (label("birth_date"), m.birth_date),
            (label("ethnicity"), m.ethnicity),
            (label("education"), m.get_education_display()),
            (label("occupation"), m.occupation),
            (label("work_unit"), m.work_unit),
            (label("phone"), m.phone),
            (label("organization"), m.organization.name),
            (label("status"), m.get_status_display()),
            (label("status_changed_on"), m.status_changed_on),
            (label("category"), m.get_category_display()),
            (label("joined_on"), m.joined_on),
            (label("probation_ends"), m.probation_ends),
            (label("converted_on"), m.converted_on),
            (label("dues_base"), m.dues_base),
            (_("Monthly dues"), self.monthly_dues),
            (label("notes"), m.notes),
        ]


def member_archive(user: Any, member: PartyMember, *, payments: int | None = None) -> Archive:
    """The archive of *member* (already fetched within *user*'s scope) as *user* may read it; the last
    *payments* months of dues (all of them by default)."""
    try:
        due: Decimal | None = monthly_dues(member.category, member.dues_base, member.basic_allowance)
    except ActionError:
        due = None
    paid = member.dues_payments.order_by("-month")
    return Archive(
        member=member,
        id_number=shown_id_number(user, member),
        events=list(member.events.select_related("organization", "recorded_by").order_by("-on", "-id")),
        # Both ends see an open transfer; a closed one only the side that keeps the member.
        transfers=list(
            RelationTransfer.objects.restrict(user, "view")
            .filter(member=member)
            .select_related("from_org", "to_org")
            .order_by("-requested_on", "-id")
        ),
        # The register of posts names residents: a member who is one has their posts here without a second entry.
        posts=list(
            Post.objects.restrict(user, "view")
            .filter(person_id=member.resident_id)
            .select_related("organization")
            .order_by("-start_date", "-id")
        )
        if member.resident_id
        else [],
        payments=list(paid[:payments] if payments else paid),
        development=DevelopmentRecord.objects.filter(member=member)
        .select_related("contact_1", "contact_2", "introducer_1", "introducer_2")
        .first(),
        monthly_dues=due,
    )


def write_archive_xlsx(archive: Archive) -> str:
    """The archive as a workbook: one sheet, the record first, then the sections one under the other."""
    from shequ.core.spreadsheets import XlsxWriter, temp_xlsx_path

    m = archive.member
    target = temp_xlsx_path()
    writer = XlsxWriter(target, _("Party member archive"))
    writer.header([_("Party member archive"), m.name, m.organization.name], [22, 40, 30, 16, 16, 30])
    for label, value in archive.details():
        writer.write([label, value])
    d = archive.development
    if d is not None:
        writer.write([])
        writer.write([_("Development")])
        names = lambda *people: "、".join(p.name for p in people if p is not None)  # noqa: E731
        for label, value in (
            (_("Applied on"), d.applied_on),
            (_("Activist since"), d.activist_on),
            (_("Contact persons"), names(d.contact_1, d.contact_2)),
            (_("Development target since"), d.target_on),
            (_("Admitted on"), d.admitted_on),
            (_("Introducers"), names(d.introducer_1, d.introducer_2)),
            (_("Full member since"), d.converted_on),
        ):
            writer.write([label, value])
    writer.write([])
    writer.write([_("Timeline"), _("Kind"), _("Title"), _("Party organization"), _("Hours"), _("Details")])
    for e in archive.events:
        writer.write(
            [e.on, e.get_kind_display(), e.title, e.organization.name if e.organization else "", e.hours, e.details]
        )
    writer.write([])
    writer.write([_("Posts held"), _("Post"), _("Organization"), _("To")])
    for post in archive.posts:
        writer.write([post.start_date, post.title_display, post.organization.name, post.end_date])
    writer.write([])
    writer.write([_("Relation transfers"), _("Kind"), _("From"), _("To"), _("Status"), _("Letter number")])
    for t in archive.transfers:
        writer.write(
            [t.requested_on, t.get_kind_display(), t.from_label, t.to_label, t.get_status_display(), t.letter_number]
        )
    writer.write([])
    writer.write([_("Dues"), _("Amount (yuan)"), _("Paid on")])
    for p in archive.payments:
        writer.write([p.month.strftime("%Y-%m"), p.amount, p.paid_on])
    writer.close()
    return target
