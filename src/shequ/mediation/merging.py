"""Merging a second registration into the open case between the same parties about the same matter (the
registration is refused as a duplicate and offered for merging): what the new registration carried — its
summary (a timeline event), parties the case lacks, the visit it came from — goes to the open case; nothing
else is written.  A step of the case's workflow (``merge``), taken by those who may register cases there."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from shequ.core.models import TimelineKind

from .actions import WORKFLOW, PartyIn, _parties, _staff, _text, party_key
from .models import MediationCase, Party, PartyRole


def parties_from(d: dict[str, Any]) -> list[PartyIn]:
    """The applicant and the respondent of a registration form (a resident, or an outside person)."""
    return [
        PartyIn(
            role,
            resident=d.get(prefix),
            name=d.get(f"{prefix}_name") or "",
            id_number=d.get(f"{prefix}_id_number") or "",
            phone=d.get(f"{prefix}_phone") or "",
        )
        for role, prefix in ((PartyRole.APPLICANT, "applicant"), (PartyRole.RESPONDENT, "respondent"))
    ]


def do_merge_into(
    case: MediationCase,
    *,
    acting_user: Any,
    summary: str,
    parties: Sequence[PartyIn],
    visit: Any = None,
    request: Any = None,
) -> MediationCase:
    """Add a refused duplicate registration to the open *case*: the summary goes on its timeline, parties it
    lacks join it, the visit or request it came from now leads to it (when the case has none yet)."""
    summary = _text(summary, "summary", _("Say what the dispute is about."), 2000)
    staff = _staff(acting_user)
    people = _parties(staff, parties)  # an unknown party is refused before anything is written
    with WORKFLOW.transition(case, "merge", acting_user=acting_user) as move:
        current = move.case
        present = {party_key(p) for p in current.parties.all()}
        extra = []
        for party in people:
            key = party_key(party)
            if key not in present:
                present.add(key)
                party.case = current
                extra.append(party)
        Party.objects.bulk_create(extra)
        if visit is not None and current.visit_id is None:
            current.visit = visit
        if request is not None and current.request_id is None:
            current.request = request
        text = _("Merged registration: %(summary)s") % {"summary": summary}
        if extra:
            text += " " + _("Parties added: %(names)s.") % {"names": "、".join(p.name for p in extra)}
        move.log(TimelineKind.COMMENT, text[:2000])
    return move.case
