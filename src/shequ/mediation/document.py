"""The mediation agreement (调解协议书) in the usual layout: the parties, the facts and matters in dispute, the agreed
terms, how and by when they are performed, the notes on effect and judicial confirmation, the signatures.  One
list of blocks (``core.pdf``) gives the printable page and the PDF alike.  Identity numbers are masked."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from shequ.core.pdf import Fields, Heading, Para, Signatures, pdf_bytes

from .models import AgreementForm, MediationCase


def _party_rows(case: MediationCase) -> list[tuple[str, str]]:
    rows = []
    for party in case.parties.all():
        details = [party.name]
        masked = party.id_masked or (party.resident.id_masked if party.resident_id else "")
        if masked:
            details.append(_("identity number %(number)s") % {"number": masked})
        if party.phone:
            details.append(_("phone %(phone)s") % {"phone": party.phone})
        rows.append((str(party.get_role_display()), "，".join(details)))
    return rows


def blocks(case: MediationCase) -> tuple[str, list[Any]]:
    """The title and the blocks of *case*'s agreement."""
    agreement = case.agreement
    title = _("People's mediation agreement")
    items: list[Any] = [
        Para(_("No. %(code)s") % {"code": case.code}),
        Heading(_("Parties")),
        Fields(_party_rows(case)),
        Heading(_("Facts and matters in dispute")),
        Para(agreement.facts),
        Heading(_("Agreed terms")),
        Para(agreement.terms),
        Heading(_("Performance: how and by when")),
        Para(agreement.performance),
        Heading(_("Effect")),
        Para(
            _(
                "This agreement was reached voluntarily through people's mediation, free of charge. It binds the "
                "parties, who shall perform it as agreed. The parties may jointly apply to the people's court for "
                "judicial confirmation within 30 days of its taking effect, by %(day)s."
            )
            % {"day": agreement.confirmation_by.isoformat()}
        ),
    ]
    if agreement.form == AgreementForm.ORAL:
        items.append(Para(_("Oral agreement, recorded by the mediators.")))
    mediators = [m.name for m in case.mediators.all()]
    items.append(
        Fields(
            [
                (_("Mediation committee"), case.committee.name),
                (_("Mediators"), "、".join(mediators) or "—"),
                (_("Signed on"), agreement.signed_on.isoformat()),
            ]
        )
    )
    labels = [f"{p.get_role_display()} {p.name}" for p in case.parties.all()]
    labels += [_("Mediator %(name)s") % {"name": name} for name in mediators]
    labels.append(_("Seal of %(committee)s") % {"committee": case.committee.name})
    items.append(Signatures(labels, _("Date")))
    return title, items


def agreement_pdf(case: MediationCase) -> bytes:
    title, items = blocks(case)
    return pdf_bytes(title, items, author=case.committee.name)
