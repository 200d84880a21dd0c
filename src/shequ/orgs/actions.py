"""Writes on organizations and posts: every view, API endpoint, importer and command calls these.

Each runs in one transaction under the acting user (audited), answers 404 for anything
outside the user's scope, validates with the models' rules and re-checks the scope after
the write.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.accounts.scope import can
from shequ.core.actions import acting_as, do_delete_object, ensure_in_scope
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.indicators import mark_dirty
from shequ.territory.models import Kind as NodeKind
from shequ.territory.models import Node

from .indicators import CROSS_POSTING, PARTY_ORG_COVERAGE, PARTY_WORK_COVERAGE
from .models import Organization, OrgKind, Post

# What an organization's creation, change or dissolution can move: its committees' cross-posting and the
# coverage of "two new" organizations (the figures of its community, recomputed after the commit).
ORG_INDICATORS = (CROSS_POSTING, PARTY_ORG_COVERAGE, PARTY_WORK_COVERAGE)

ORG_FIELDS = (
    "kind",
    "name",
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
    "notes",
)
POST_FIELDS = ("organization", "person", "person_name", "title", "title_other", "start_date", "end_date", "notes")


# -- scope helpers ----------------------------------------------------------------------------------------------


def _node_for(user: Any, node: Node | int | None, action: str) -> Node:
    """The node, if *user* may *action* organizations there (404 otherwise)."""
    pk = node.pk if isinstance(node, Node) else node
    if pk is None:
        raise NotFound()
    found = Node.objects.restrict(user, action, perm_model=Organization).filter(pk=pk, retired=False).first()
    if found is None:
        raise NotFound()
    return found


def _visible_org(user: Any, org: Organization | int | None) -> Organization | None:
    if org is None:
        return None
    pk = org.pk if isinstance(org, Organization) else org
    found = Organization.objects.restrict(user, "view").select_related("node").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def _visible_resident(user: Any, person: Any) -> Any:
    if person is None:
        return None
    from shequ.people.models import Resident

    pk = getattr(person, "pk", person)
    found = Resident.objects.restrict(user, "view").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def _locked(user: Any, model: Any, pk: int, action: str) -> Any:
    obj = model.objects.restrict(user, action).select_for_update().filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


# -- organizations ----------------------------------------------------------------------------------------------


def do_create_organization(
    *,
    acting_user: Any,
    node: Node | int,
    kind: str,
    name: str,
    parent: Organization | int | None = None,
    estates: Iterable[Node | int] | None = None,
    members: Iterable[Organization | int] | None = None,
    **fields: Any,
) -> Organization:
    unknown = set(fields) - set(ORG_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with acting_as(acting_user), transaction.atomic():
        place = _node_for(acting_user, node, "add")
        org = Organization(node=place, kind=kind, name=name, parent=_visible_org(acting_user, parent), **fields)
        org.full_clean()
        org.save()
        ensure_in_scope(org, acting_user, "add")
        if estates:
            _set_estates(org, estates, acting_user)
        if members:
            for member in members:
                _add_member(org, member, acting_user)
        mark_dirty(ORG_INDICATORS, org.node)
    return org


def do_update_organization(org: Organization, *, acting_user: Any, **fields: Any) -> Organization:
    """Change fields of *org* (a move to another node carries its posts along)."""
    unknown = set(fields) - set(ORG_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with acting_as(acting_user), transaction.atomic():
        current = _locked(acting_user, Organization, org.pk, "change")
        if "node" in fields and getattr(fields["node"], "pk", fields["node"]) != current.node_id:
            fields["node"] = _node_for(acting_user, fields["node"], "change")
        elif "node" in fields:
            fields.pop("node")
        if "parent" in fields and getattr(fields["parent"], "pk", fields["parent"]) != current.parent_id:
            fields["parent"] = _visible_org(acting_user, fields["parent"])
        elif "parent" in fields:
            fields.pop("parent")
        for key, value in fields.items():
            setattr(current, key, value)
        if current.kind != OrgKind.PROPERTY_COMPANY and current.estates.exists():
            raise ActionError(_("Only property companies serve residential areas; remove them first."), code="kind")
        if current.kind != OrgKind.ALLIANCE and current.members.exists():
            raise ActionError(_("Only alliances have member units; remove them first."), code="kind")
        current.full_clean()
        current.save()
        ensure_in_scope(current, acting_user, "change")
        if "node" in fields:
            # Posts share the organization's place (and scope).
            Post.objects.filter(organization=current).exclude(node_id=current.node_id).update(
                node_id=current.node_id, path=current.path
            )
            _check_children_below(current)
        mark_dirty(ORG_INDICATORS, current.node)
    return current


def _check_children_below(org: Organization) -> None:
    stray = Organization.objects.filter(parent=org, active=True).exclude(path__within=org.path).first()
    if stray is not None:
        raise ActionError(
            _("“%(child)s” stands under this organization but sits outside “%(node)s”; move it first.")
            % {"child": stray.name, "node": org.node.name},
            code="children_outside",
        )


def do_dissolve_organization(
    org: Organization, *, acting_user: Any, on: date | None = None, reason: str = ""
) -> Organization:
    """Dissolve *org* on a date: kept with its history; its current posts end that day."""
    on = on or timezone.localdate()
    with acting_as(acting_user), transaction.atomic():
        current = _locked(acting_user, Organization, org.pk, "change")
        if not current.active:
            raise ActionError(_("“%(org)s” is already dissolved.") % {"org": current.name}, code="dissolved")
        children = Organization.objects.filter(parent=current, active=True).count()
        if children:
            raise ActionError(
                _("%(count)d organizations still stand under “%(org)s”: dissolve or move them first.")
                % {"count": children, "org": current.name},
                code="has_children",
            )
        if current.established_on and on < current.established_on:
            raise ActionError(_("It cannot be dissolved before it was established."), code="invalid_date")
        late = Post.objects.filter(organization=current, start_date__gt=on).first()
        if late is not None:
            raise ActionError(
                _("The post of %(post)s starts after %(on)s; change it first.") % {"post": late, "on": on.isoformat()},
                code="invalid_date",
            )
        current.active, current.dissolved_on, current.dissolved_reason = False, on, reason.strip()[:200]
        current.save()
        for post in Post.objects.filter(organization=current).current(on).select_related("organization"):
            post.end_date = on
            post.save()
        mark_dirty(ORG_INDICATORS, current.node)
    return current


def do_delete_organization(org: Organization, *, acting_user: Any) -> None:
    """Delete an organization entered by mistake (one with posts or children must be dissolved instead)."""
    with transaction.atomic():
        current = _locked(acting_user, Organization, org.pk, "delete")
        if Organization.objects.filter(parent=current).exists():
            raise ActionError(
                _("Organizations stand under “%(org)s”: it cannot be deleted; dissolve it instead.")
                % {"org": current.name},
                code="has_children",
            )
        with acting_as(acting_user):
            current.estates.clear()
            current.members.clear()
            current.alliances.clear()
        do_delete_object(current, acting_user=acting_user)


def _estate_nodes(user: Any, estates: Iterable[Node | int]) -> list[Node]:
    ids = {getattr(e, "pk", e) for e in estates}
    found = list(
        Node.objects.restrict(user, "change", perm_model=Organization).filter(
            pk__in=ids, kind=NodeKind.ESTATE, retired=False
        )
    )
    if len(found) != len(ids):
        raise ActionError(
            _("Choose residential areas inside your area."),
            code="invalid_estate",
        )
    return found


def _set_estates(org: Organization, estates: Iterable[Node | int], user: Any) -> None:
    if org.kind != OrgKind.PROPERTY_COMPANY:
        raise ActionError(_("Only property companies serve residential areas."), code="kind")
    org.estates.set(_estate_nodes(user, estates))


def do_set_estates(org: Organization, estates: Iterable[Node | int], *, acting_user: Any) -> Organization:
    """The residential areas a property company serves (the whole list)."""
    estates = list(estates)
    with acting_as(acting_user), transaction.atomic():
        current = _locked(acting_user, Organization, org.pk, "change")
        _set_estates(current, estates, acting_user)
    return current


def _add_member(alliance: Organization, member: Organization | int, user: Any) -> Organization:
    if alliance.kind != OrgKind.ALLIANCE:
        raise ActionError(_("Only party-building alliances have member units."), code="kind")
    unit = _visible_org(user, member)
    assert unit is not None
    if unit.pk == alliance.pk:
        raise ActionError(_("An alliance cannot be its own member."), code="invalid_member")
    if unit.kind == OrgKind.ALLIANCE:
        raise ActionError(_("An alliance cannot be a member unit of another alliance."), code="invalid_member")
    if not unit.active:
        raise ActionError(_("“%(org)s” is dissolved.") % {"org": unit.name}, code="dissolved")
    alliance.members.add(unit)
    return unit


def do_add_alliance_member(alliance: Organization, member: Organization | int, *, acting_user: Any) -> Organization:
    with acting_as(acting_user), transaction.atomic():
        current = _locked(acting_user, Organization, alliance.pk, "change")
        _add_member(current, member, acting_user)
    return current


def do_remove_alliance_member(alliance: Organization, member: Organization | int, *, acting_user: Any) -> Organization:
    with acting_as(acting_user), transaction.atomic():
        current = _locked(acting_user, Organization, alliance.pk, "change")
        pk = getattr(member, "pk", member)
        unit = current.members.filter(pk=pk).first()
        if unit is None:
            raise NotFound()
        current.members.remove(unit)
    return current


# -- posts ----------------------------------------------------------------------------------------------------


def do_appoint(
    *,
    acting_user: Any,
    organization: Organization | int,
    title: str,
    start_date: date,
    person: Any = None,
    person_name: str = "",
    title_other: str = "",
    end_date: date | None = None,
    notes: str = "",
) -> Post:
    """Record that a person holds (or held) a post in an organization."""
    with acting_as(acting_user), transaction.atomic():
        org = _visible_org(acting_user, organization)
        assert org is not None
        if not can(acting_user, Post, "add", org.path):
            raise NotFound()
        post = Post(
            organization=org,
            person=_visible_resident(acting_user, person),
            person_name=person_name,
            title=title,
            title_other=title_other,
            start_date=start_date,
            end_date=end_date,
            notes=notes,
        )
        post.node = org.node
        post.full_clean()
        post.save()
        ensure_in_scope(post, acting_user, "add")
        mark_dirty(CROSS_POSTING, post.node)
    return post


def do_update_post(post: Post, *, acting_user: Any, **fields: Any) -> Post:
    unknown = set(fields) - set(POST_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with acting_as(acting_user), transaction.atomic():
        current = _locked(acting_user, Post, post.pk, "change")
        if "organization" in fields and getattr(fields["organization"], "pk", fields["organization"]) != (
            current.organization_id
        ):
            fields["organization"] = _visible_org(acting_user, fields["organization"])
        elif "organization" in fields:
            fields.pop("organization")
        if "person" in fields and getattr(fields["person"], "pk", fields["person"]) != current.person_id:
            fields["person"] = _visible_resident(acting_user, fields["person"])
        elif "person" in fields:
            fields.pop("person")
        for key, value in fields.items():
            setattr(current, key, value)
        current.full_clean()
        current.save()
        ensure_in_scope(current, acting_user, "change")
        mark_dirty(CROSS_POSTING, current.node)
    return current


def do_end_post(post: Post, *, acting_user: Any, end_date: date | None = None) -> Post:
    """The person leaves the post on *end_date* (today by default)."""
    end_date = end_date or timezone.localdate()
    with acting_as(acting_user), transaction.atomic():
        current = _locked(acting_user, Post, post.pk, "change")
        if current.end_date is not None and current.end_date <= end_date:
            raise ActionError(
                _("This post already ended on %(date)s.") % {"date": current.end_date.isoformat()}, code="ended"
            )
        current.end_date = end_date
        current.full_clean()
        current.save()
        mark_dirty(CROSS_POSTING, current.node)
    return current


def do_delete_post(post: Post, *, acting_user: Any) -> None:
    with transaction.atomic():
        do_delete_object(post, acting_user=acting_user)
        mark_dirty(CROSS_POSTING, post.node)
