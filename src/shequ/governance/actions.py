"""Writes of the governance app.

- Decisions: ``do_create_decision``, then the four meetings in order (``do_hold_meeting``, one step of
  ``WORKFLOW`` per stage), ``do_send_back``, ``do_withdraw``, ``do_publish_result``, ``do_attach``.
- Disclosures: ``do_publish_disclosure`` — the one way anything reaches a community's public board (other apps
  call it too), ``do_save_requirement``.
- The work access list: ``do_new_access_list``, ``do_save_item``, ``do_put_in_force``; ``do_hand_over``,
  ``do_record_funds``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NoReturn

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.accounts.scope import can
from shequ.core.actions import acting_as, ensure_in_scope
from shequ.core.exceptions import ActionError, FieldErrors, NotFound
from shequ.core.indicators import mark_dirty
from shequ.core.models import TimelineKind
from shequ.core.workflow import Step, Workflow
from shequ.territory.models import Kind

from .indicators import DISCLOSURES_ON_TIME, HANDOVERS_FUNDED
from .models import (
    OPEN_DECISION,
    STAGES,
    AccessItem,
    AccessList,
    Decision,
    DecisionAttachment,
    DecisionEvent,
    DecisionKind,
    DecisionStatus,
    DecisionStep,
    Disclosure,
    DisclosureKind,
    DisclosureRequirement,
    GovernanceRules,
    Handover,
    ListStatus,
    Stage,
    period_end,
    quorum_fraction,
)

DEFAULT_BOARD_DAYS = 30
# Personal information never goes on a public board: identity numbers, mobile numbers.
PERSONAL = re.compile(r"(?<!\d)(\d{17}[\dXx]|1[3-9]\d{9})(?!\d)")


def refuse(errors: list[dict[str, str]]) -> NoReturn:
    """Input that does not fit: 422 naming the fields (API), the messages alone on a page."""
    raise FieldErrors(errors, message="；".join(e["message"] for e in errors))


def _field(name: str, message: Any) -> NoReturn:
    refuse([{"field": name, "message": str(message)}])


def _staff(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _community(node: Any) -> Any:
    if node is None or node.kind != Kind.COMMUNITY:
        _field("node", _("Choose a community."))
    return node


def rules_of(community: Any) -> GovernanceRules:
    """The community's meeting rules (the defaults when it has set none)."""
    found = GovernanceRules.objects.filter(node=community).first()
    return found or GovernanceRules(node=community)


# -- decisions ---------------------------------------------------------------------------------------------------


def do_create_decision(
    *,
    acting_user: Any,
    node: Any,
    title: str,
    kind: str,
    description: str,
    amount: Decimal | None = None,
    organization: Any = None,
) -> Decision:
    """A matter to be decided by "four discussions, two publics" (a funds decision names its amount)."""
    _community(node)
    if kind == DecisionKind.FUNDS and amount is None:
        _field("amount", _("A decision on funds names the amount."))
    if organization is not None and not (
        organization.is_party and (node.path.startswith(organization.path) or organization.path.startswith(node.path))
    ):
        _field("organization", _("Choose a party organization."))
    staff = _staff(acting_user)
    with acting_as(staff), transaction.atomic():
        if not can(staff, Decision, "add", node.path):
            raise NotFound()
        decision = Decision(
            node=node,
            title=title.strip()[:200],
            kind=kind,
            amount=amount,
            description=description.strip()[:5000],
            organization=organization,
            created_by=staff,
        )
        decision.save()
        WORKFLOW.log(
            decision,
            TimelineKind.STATUS,
            user=staff,
            text=_("Matter recorded: %(title)s.") % {"title": decision.title},
            to_status=DecisionStatus.DRAFT,
        )
    return decision


def check_meeting(
    decision: Decision, stage: str, *, held_on: date, entitled: int, present: int, votes: tuple[int, int, int]
) -> None:
    """Refuse a meeting without quorum, a vote count that does not add up, a date out of order."""
    errors = []
    if held_on > timezone.localdate():
        errors.append({"field": "held_on", "message": str(_("A meeting cannot be in the future."))})
    last = decision.steps.filter(adopted=True).order_by("-held_on").values_list("held_on", flat=True).first()
    if last is not None and held_on < last and stage != Stage.PROPOSAL:
        errors.append(
            {
                "field": "held_on",
                "message": str(
                    _("The meeting cannot be before the previous one (%(day)s).") % {"day": last.isoformat()}
                ),
            }
        )
    if present > entitled:
        errors.append({"field": "present", "message": str(_("More present than entitled to attend."))})
    if sum(votes) != present:
        errors.append(
            {
                "field": "votes_for",
                "message": str(
                    _(
                        "The votes do not add up: %(for)d for, %(against)d against and %(abstaining)d abstaining "
                        "make %(sum)d, but %(present)d were present."
                    )
                    % {
                        "for": votes[0],
                        "against": votes[1],
                        "abstaining": votes[2],
                        "sum": sum(votes),
                        "present": present,
                    }
                ),
            }
        )
    if errors:
        refuse(errors)
    quorum = quorum_fraction(getattr(rules_of(decision.node), STAGES[stage][2]))
    if present * quorum.denominator < entitled * quorum.numerator:
        needed = -(-entitled * quorum.numerator // quorum.denominator)
        raise ActionError(
            _("No quorum: %(present)d of %(entitled)d present, at least %(needed)d needed.")
            % {"present": present, "entitled": entitled, "needed": needed},
            code="no_quorum",
        )


def do_hold_meeting(
    decision: Decision,
    *,
    acting_user: Any,
    stage: str,
    held_on: date,
    entitled: int,
    present: int,
    votes_for: int,
    votes_against: int,
    votes_abstaining: int,
    minutes: str,
    attendees: str = "",
    resolution: str = "",
) -> Decision:
    """The meeting of *stage* (the next of the four, in order) with its quorum and votes.  Adopted (more than half
    of those present for): the matter moves on — after the residents' representatives' decision its resolution
    goes on the public board for the community's publicity period.  Not adopted: the matter is sent back."""
    if not (minutes or "").strip():
        _field("minutes", _("Write the minutes."))
    if stage == Stage.RESOLUTION and not (resolution or "").strip():
        _field("resolution", _("Write the resolution."))
    with WORKFLOW.transition(decision, stage, acting_user=acting_user) as move:
        case: Decision = move.case
        votes = (votes_for, votes_against, votes_abstaining)
        check_meeting(case, stage, held_on=held_on, entitled=entitled, present=present, votes=votes)
        adopted = votes_for * 2 > present
        DecisionStep.objects.create(
            decision=case,
            stage=stage,
            held_on=held_on,
            entitled=entitled,
            present=present,
            attendees=(attendees or "").strip()[:5000],
            votes_for=votes_for,
            votes_against=votes_against,
            votes_abstaining=votes_abstaining,
            minutes=minutes.strip()[:10000],
            adopted=adopted,
            recorded_by=_staff(acting_user),
        )
        label = Stage(stage).label
        tally = _(
            "%(present)d of %(entitled)d present; %(for)d for, %(against)d against, %(abstaining)d abstaining"
        ) % {
            "present": present,
            "entitled": entitled,
            "for": votes_for,
            "against": votes_against,
            "abstaining": votes_abstaining,
        }
        _tell_proposer(move, acting_user)
        if not adopted:
            move.to(
                DecisionStatus.RETURNED,
                _("%(meeting)s: not adopted (%(tally)s); sent back.") % {"meeting": label, "tally": tally},
            )
            return case
        if stage == Stage.PROPOSAL:
            case.proposed_on = held_on
        move.to(
            STAGES[stage][1],
            _("%(meeting)s on %(day)s: adopted (%(tally)s).")
            % {"meeting": label, "day": held_on.isoformat(), "tally": tally},
        )
        if stage == Stage.RESOLUTION:
            days = rules_of(case.node).publicity_days
            today = timezone.localdate()
            case.decided_on = held_on
            case.resolution = resolution.strip()[:5000]
            case.public_until = today + timedelta(days=days)
            do_publish_disclosure(
                acting_user=acting_user,
                node=case.node,
                kind=DisclosureKind.RESOLUTION,
                title=_("Resolution: %(title)s") % {"title": case.title},
                body=_resolution_text(case, held_on, tally),
                published_on=today,
                expires_on=case.public_until,
                decision=case,
            )
    return move.case


def _tell_proposer(move: Any, acting_user: Any) -> None:
    """Whoever recorded the matter hears of each meeting and of its sending back (unless they took the step)."""
    case = move.case
    if case.created_by_id and case.created_by_id != getattr(acting_user, "pk", None):
        move.notify([case.created_by], _("A step of “%(title)s” was taken.") % {"title": case.title})


def _resolution_text(case: Decision, held_on: date, tally: str) -> str:
    lines = [
        case.resolution,
        "",
        _("Decided by the residents' representatives' meeting on %(day)s (%(tally)s).")
        % {"day": held_on.isoformat(), "tally": tally},
    ]
    if case.amount is not None:
        lines.append(_("Amount: %(amount)s yuan.") % {"amount": f"{case.amount:,.2f}"})
    lines.append(
        _("Residents may comment until %(day)s.") % {"day": case.public_until.isoformat() if case.public_until else "—"}
    )
    return "\n".join(lines)


def do_send_back(decision: Decision, *, acting_user: Any, reason: str) -> Decision:
    """A meeting sends the matter back to be proposed again (say why)."""
    if not (reason or "").strip():
        _field("reason", _("Give the reason."))
    with WORKFLOW.transition(decision, "send_back", acting_user=acting_user) as move:
        move.to(DecisionStatus.RETURNED, _("Sent back: %(reason)s") % {"reason": reason.strip()})
        _tell_proposer(move, acting_user)
    return move.case


def do_withdraw(decision: Decision, *, acting_user: Any, reason: str) -> Decision:
    """The matter will not be decided (say why)."""
    if not (reason or "").strip():
        _field("reason", _("Give the reason."))
    with WORKFLOW.transition(decision, "withdraw", acting_user=acting_user) as move:
        move.to(DecisionStatus.WITHDRAWN, _("Withdrawn: %(reason)s") % {"reason": reason.strip()})
    return move.case


def do_publish_result(decision: Decision, *, acting_user: Any, result: str, days: int = DEFAULT_BOARD_DAYS) -> Decision:
    """The implementation result, made public: the second of the "two publics"."""
    if not (result or "").strip():
        _field("result", _("Say what was done."))
    with WORKFLOW.transition(decision, "publish_result", acting_user=acting_user) as move:
        case: Decision = move.case
        today = timezone.localdate()
        case.result = result.strip()[:5000]
        case.result_published_on = today
        do_publish_disclosure(
            acting_user=acting_user,
            node=case.node,
            kind=DisclosureKind.RESULT,
            title=_("Implementation result: %(title)s") % {"title": case.title},
            body=case.result,
            published_on=today,
            expires_on=today + timedelta(days=days),
            decision=case,
        )
        move.to(DecisionStatus.DONE, _("Implementation result published."), public=True)
    return move.case


def do_attach(decision: Decision, *, acting_user: Any, upload: Any) -> DecisionAttachment:
    """A file of the decision (signed minutes, a budget …), stored encrypted."""
    from shequ.services.actions.attachments import check_upload

    name, content_type = check_upload(upload)
    with WORKFLOW.transition(decision, "attach", acting_user=acting_user) as move:
        found = DecisionAttachment.store(
            upload, folder="governance", key=decision.pk, name=name, content_type=content_type, decision=move.case
        )
        move.log(TimelineKind.ATTACHMENT, _("Attached: %(name)s") % {"name": name})
    return found


def do_comment_resolution(decision: Decision, *, text: str, name: str = "") -> Any:
    """A resident's comment on a resolution while it is public (the portal; no account): on the decision's
    timeline for the community's staff, never shown publicly."""
    text = (text or "").strip()
    if not text:
        _field("text", _("Write your comment."))
    with transaction.atomic():
        current = WORKFLOW.locked(decision.pk)
        if current.public_until is None or current.public_until < timezone.localdate():
            raise ActionError(_("The resolution is no longer open for comments."), code="closed_for_comments")
        return WORKFLOW.log(
            current,
            TimelineKind.COMMENT,
            user=None,
            text=_("Resident's comment on the resolution: %(text)s") % {"text": text[:500]},
            actor_label=(name or "").strip()[:20] or _("resident"),
        )


# -- disclosures -------------------------------------------------------------------------------------------------


def check_public_text(**texts: str) -> None:
    """Refuse text for a public board that carries an identity or mobile number."""
    bad = [name for name, text in texts.items() if PERSONAL.search(text or "")]
    if bad:
        refuse(
            [{"field": name, "message": str(_("A public page carries no identity or phone numbers."))} for name in bad]
        )


def do_publish_disclosure(
    *,
    acting_user: Any,
    node: Any,
    kind: str,
    title: str,
    body: str,
    published_on: date | None = None,
    expires_on: date | None = None,
    decision: Decision | None = None,
) -> Disclosure:
    """Publish an announcement on *node*'s (a community's) public board — the one entry point for every app.

    *kind*: a ``DisclosureKind`` (party affairs, residents' affairs, finances, resolution, result); *published_on*
    default today; *expires_on* default 30 days later, never before *published_on*.  The text may carry the
    names of officials, never identity or phone numbers (refused: ``FieldErrors``).  Needs the right to add
    disclosures at *node* (404 otherwise).  A publication of a kind the community must publish regularly
    (``DisclosureRequirement``) records whether it came by its due date and moves the next due date on."""
    _community(node)
    published_on = published_on or timezone.localdate()
    expires_on = expires_on or published_on + timedelta(days=DEFAULT_BOARD_DAYS)
    errors = []
    if kind not in DisclosureKind.values:
        errors.append({"field": "kind", "message": str(_("Choose the kind."))})
    if not (title or "").strip():
        errors.append({"field": "title", "message": str(_("Write the title."))})
    if not (body or "").strip():
        errors.append({"field": "body", "message": str(_("Write the text."))})
    if expires_on < published_on:
        errors.append({"field": "expires_on", "message": str(_("It cannot leave the board before it is published."))})
    if errors:
        refuse(errors)
    check_public_text(title=title, body=body)
    staff = _staff(acting_user)
    with acting_as(staff), transaction.atomic():
        if not can(staff, Disclosure, "add", node.path):
            raise NotFound()
        disclosure = Disclosure(
            node=node,
            kind=kind,
            title=title.strip()[:200],
            body=body.strip()[:20000],
            published_on=published_on,
            expires_on=expires_on,
            decision=decision,
            published_by=staff,
        )
        duty = DisclosureRequirement.objects.select_for_update().filter(node=node, kind=kind).first()
        if duty is not None:
            disclosure.due_on = duty.next_due
            disclosure.on_time = published_on <= duty.next_due
            duty.last_published_on = published_on
            duty.next_due = period_end(max(published_on, timezone.localdate()), duty.frequency) + timedelta(
                days=duty.grace_days
            )
            duty.save()
            mark_dirty(DISCLOSURES_ON_TIME, node)
        disclosure.save()
    return disclosure


def do_save_requirement(duty: DisclosureRequirement, *, acting_user: Any) -> DisclosureRequirement:
    """A community's duty to publish a kind regularly (new or changed): the next due date follows from the
    current period."""
    _community(duty.node)
    action = "change" if duty.pk else "add"
    with acting_as(acting_user), transaction.atomic():
        if duty.pk and not DisclosureRequirement.objects.restrict(acting_user, "change").filter(pk=duty.pk).exists():
            raise NotFound()
        if DisclosureRequirement.objects.filter(node=duty.node, kind=duty.kind).exclude(pk=duty.pk).exists():
            _field("kind", _("The community has this duty already."))
        start = duty.last_published_on or timezone.localdate()
        duty.next_due = period_end(start, duty.frequency) + timedelta(days=duty.grace_days)
        duty.save()
        ensure_in_scope(duty, acting_user, action)
        mark_dirty(DISCLOSURES_ON_TIME, duty.node)
    return duty


# -- the work access list ----------------------------------------------------------------------------------------


def _district_of(node: Any) -> Any:
    from shequ.core.fields import path_ids
    from shequ.territory.models import Node

    if node.kind == Kind.DISTRICT:
        return node
    return Node.objects.filter(pk__in=path_ids(node.path), kind=Kind.DISTRICT).first()


def list_in_force(node: Any) -> AccessList | None:
    """The access list in force for *node*'s district."""
    district = _district_of(node)
    if district is None:
        return None
    return AccessList.objects.filter(node=district, status=ListStatus.IN_FORCE).order_by("-version").first()


def do_new_access_list(*, acting_user: Any, node: Any, reference: str) -> AccessList:
    """A new version of a district's list (a draft), starting from the matters of the latest version."""
    if node is None or node.kind != Kind.DISTRICT:
        _field("node", _("The district maintains the list: choose a district."))
    if not (reference or "").strip():
        _field("reference", _("Give the list's reference."))
    with acting_as(acting_user), transaction.atomic():
        if not can(acting_user, AccessList, "add", node.path):
            raise NotFound()
        if AccessList.objects.filter(node=node, status=ListStatus.DRAFT).exists():
            raise ActionError(_("A draft of this list exists already: finish it first."), code="draft_exists")
        latest = AccessList.objects.filter(node=node).order_by("-version").first()
        version = (AccessList.objects.filter(node=node).aggregate(v=Max("version"))["v"] or 0) + 1
        made = AccessList.objects.create(node=node, version=version, reference=reference.strip()[:100])
        if latest is not None:
            AccessItem.objects.bulk_create(
                AccessItem(
                    access_list=made,
                    matter=i.matter,
                    legal_basis=i.legal_basis,
                    department=i.department,
                    funds_per_year=i.funds_per_year,
                )
                for i in latest.items.all()
            )
    return made


def do_save_item(item: AccessItem, *, acting_user: Any) -> AccessItem:
    """A matter on a draft list (a list in force is never changed: make a new version)."""
    with acting_as(acting_user), transaction.atomic():
        found = (
            AccessList.objects.restrict(acting_user, "change")
            .select_for_update()
            .filter(pk=item.access_list_id)
            .first()
        )
        if found is None:
            raise NotFound()
        if found.status != ListStatus.DRAFT:
            raise ActionError(_("A list in force is not changed: make a new version."), code="list_in_force")
        duplicate = AccessItem.objects.filter(
            access_list=found, department=item.department, matter=item.matter
        ).exclude(pk=item.pk)
        if duplicate.exists():
            _field("matter", _("This matter of this department is listed already."))
        item.save()
    return item


def do_put_in_force(access_list: AccessList, *, acting_user: Any, in_force_from: date | None = None) -> AccessList:
    """The draft becomes the list in force; the version before it is superseded (and kept)."""
    with acting_as(acting_user), transaction.atomic():
        found = AccessList.objects.restrict(acting_user, "change").select_for_update().filter(pk=access_list.pk).first()
        if found is None:
            raise NotFound()
        if found.status != ListStatus.DRAFT:
            raise ActionError(_("Only a draft can be put in force."), code="wrong_status")
        if not found.items.exists():
            raise ActionError(_("The list has no matter."), code="empty_list")
        AccessList.objects.filter(node=found.node, status=ListStatus.IN_FORCE).update(status=ListStatus.SUPERSEDED)
        found.status = ListStatus.IN_FORCE
        found.in_force_from = in_force_from or timezone.localdate()
        found.save()
    return found


def do_hand_over(
    *,
    acting_user: Any,
    node: Any,
    department: str,
    matter: str,
    year: int | None = None,
    accepted_on: date | None = None,
) -> Handover:
    """A department hands a matter to a community: only a matter on the district's list in force (refused with the
    list's reference otherwise); the funds are recorded when they arrive (``do_record_funds``)."""
    _community(node)
    accepted_on = accepted_on or timezone.localdate()
    year = year or accepted_on.year
    with acting_as(acting_user), transaction.atomic():
        if not can(acting_user, Handover, "add", node.path):
            raise NotFound()
        current = list_in_force(node)
        if current is None:
            raise ActionError(
                _("No work access list is in force for %(community)s: no matter may be handed to it.")
                % {"community": node.name},
                code="no_access_list",
            )
        item = current.items.filter(department=department.strip(), matter=matter.strip()).first()
        if item is None:
            raise ActionError(
                _(
                    "“%(matter)s” of %(department)s is not on the work access list %(list)s: it may not be handed "
                    "to the community."
                )
                % {"matter": matter.strip(), "department": department.strip(), "list": current},
                code="not_listed",
            )
        if Handover.objects.filter(
            node=node, item__matter=item.matter, item__department=item.department, year=year
        ).exists():
            raise ActionError(
                _("The community carries this matter for %(year)d already.") % {"year": year}, code="duplicate"
            )
        handover = Handover(node=node, item=item, year=year, accepted_on=accepted_on)
        handover.save()
        mark_dirty(HANDOVERS_FUNDED, node)
    return handover


def do_record_funds(handover: Handover, *, acting_user: Any, amount: Decimal, transferred_on: date) -> Handover:
    """The funds that came with the matter ("fee follows the matter")."""
    errors = []
    if amount is None or amount <= 0:
        errors.append({"field": "amount", "message": str(_("Enter the amount transferred."))})
    if transferred_on is None or transferred_on > timezone.localdate():
        errors.append(
            {"field": "transferred_on", "message": str(_("Enter the day of the transfer (not in the future)."))}
        )
    if errors:
        refuse(errors)
    with acting_as(acting_user), transaction.atomic():
        found = (
            Handover.objects.restrict(acting_user, "change")
            .select_for_update(of=("self",))
            .filter(pk=handover.pk)
            .first()
        )
        if found is None:
            raise NotFound()
        found.funds_amount = amount
        found.funds_transferred_on = transferred_on
        found.save()
        mark_dirty(HANDOVERS_FUNDED, found.node)
    return found


# -- the workflow ------------------------------------------------------------------------------------------------

_FORMS = "shequ.governance.forms."


def _meeting_step(stage: Stage, style: str = "primary") -> Step:
    def run(user: Any, decision: Decision, d: dict[str, Any]) -> Decision:
        return do_hold_meeting(
            decision,
            acting_user=user,
            stage=stage,
            held_on=d["held_on"],
            entitled=d["entitled"],
            present=d["present"],
            votes_for=d["votes_for"],
            votes_against=d["votes_against"],
            votes_abstaining=d["votes_abstaining"],
            minutes=d["minutes"],
            attendees=d.get("attendees") or "",
            resolution=d.get("resolution") or "",
        )

    return Step(
        str(stage),
        stage.label,
        run,
        states=STAGES[stage][0],
        target=STAGES[stage][1],
        form=_FORMS + ("ResolutionForm" if stage == Stage.RESOLUTION else "MeetingForm"),
        style=style,
        description=(
            f"Record the meeting '{stage.value}' (the four meetings are held in order): its date (not in the future, "
            "not before the previous meeting), those entitled and present (refused without the quorum the community "
            "sets: 400 no_quorum), the votes (for + against + abstaining must equal those present: 422) and the "
            "minutes.  Adopted by more than half of those present, the matter moves on"
            + (" and its resolution goes on the community's public board" if stage == Stage.RESOLUTION else "")
            + "; otherwise it is sent back."
        ),
    )


WORKFLOW = Workflow(
    Decision,
    states=DecisionStatus,
    open_states=OPEN_DECISION,
    timeline=DecisionEvent,
    timeline_fk="decision",
    lock_related=("node",),
    steps=[
        _meeting_step(Stage.PROPOSAL),
        _meeting_step(Stage.DISCUSSION),
        _meeting_step(Stage.REVIEW),
        _meeting_step(Stage.RESOLUTION),
        Step(
            "publish_result",
            gettext_lazy("Publish the implementation result"),
            lambda u, c, d: do_publish_result(c, acting_user=u, result=d["result"]),
            states=(DecisionStatus.DECIDED,),
            target=DecisionStatus.DONE,
            form=_FORMS + "ResultForm",
            style="primary",
        ),
        Step(
            "send_back",
            gettext_lazy("Send back"),
            lambda u, c, d: do_send_back(c, acting_user=u, reason=d["reason"]),
            states=(DecisionStatus.PROPOSED, DecisionStatus.DISCUSSED, DecisionStatus.REVIEWED),
            target=DecisionStatus.RETURNED,
            form=_FORMS + "ReasonForm",
            style="danger",
        ),
        Step(
            "withdraw",
            gettext_lazy("Withdraw"),
            lambda u, c, d: do_withdraw(c, acting_user=u, reason=d["reason"]),
            states=(DecisionStatus.DRAFT, DecisionStatus.RETURNED),
            target=DecisionStatus.WITHDRAWN,
            form=_FORMS + "ReasonForm",
            style="danger",
        ),
        Step(
            "attach",
            gettext_lazy("Attach a file"),
            lambda u, c, d: do_attach(c, acting_user=u, upload=d["file"]),
            states=tuple(DecisionStatus.values),
            form=_FORMS + "AttachForm",
            files=True,
            api=False,
        ),
    ],
)
