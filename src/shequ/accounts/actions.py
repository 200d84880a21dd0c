"""Writes on accounts: users, grants (never stronger than the granter's own), tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext as _

from shequ.core.actions import acting_as
from shequ.core.exceptions import ActionError, NotFound

from .models import Grant, User
from .roles import ROLES
from .scope import can, forget_grants, roles_grantable


def do_create_user(
    *,
    acting_user: Any,
    username: str,
    password: str | None,
    node: Any,
    full_name: str = "",
    email: str = "",
    phone: str = "",
) -> User:
    username = username.strip()
    if not username:
        raise ActionError(_("A user name is required."), code="required")
    if node is None and not getattr(acting_user, "is_superuser", False):
        raise ActionError(_("Choose the part of the territory the account belongs to."), code="required")
    if node is not None and not can(acting_user, User, "add", node.path):
        raise NotFound()
    with acting_as(acting_user), transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise ActionError(_("The user name “%(name)s” is taken.") % {"name": username}, code="duplicate")
        user = User(username=username, full_name=full_name, email=email, phone=phone, node=node)
        if password:
            try:
                validate_password(password, user)
            except Exception as exc:
                raise ActionError("；".join(getattr(exc, "messages", [str(exc)])), code="weak_password") from exc
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    return user


def do_set_password(user: User, password: str, *, acting_user: Any) -> None:
    with acting_as(acting_user), transaction.atomic():
        if acting_user != user and not User.objects.restrict(acting_user, "change").filter(pk=user.pk).exists():
            raise NotFound()
        try:
            validate_password(password, user)
        except Exception as exc:
            raise ActionError("；".join(getattr(exc, "messages", [str(exc)])), code="weak_password") from exc
        user.set_password(password)
        user.save(update_fields=["password"])


def do_grant(user: User, role: str, node: Any, *, acting_user: Any, organization: Any = None) -> Grant:
    """Give *user* the *role* on *node*; the granter must hold at least as much there.  A role limited to
    an organization (a branch secretary, a team captain) is granted for an organization of its kinds (a party
    organization, a volunteer team), on the organization's place."""
    if role not in ROLES:
        raise ActionError(_("Unknown role “%(role)s”.") % {"role": role}, code="invalid_role")
    if organization is not None:
        from shequ.orgs.models import kind_label

        if not ROLES[role].org_limited:
            raise ActionError(
                _("The role “%(role)s” covers a place, not a party organization: leave the organization empty.")
                % {"role": ROLES[role].label},
                code="org_not_allowed",
            )
        if organization.kind not in ROLES[role].org_kinds:
            raise ActionError(
                _("The role “%(role)s” is granted for a %(kinds)s; “%(org)s” is not one.")
                % {
                    "role": ROLES[role].label,
                    "kinds": "、".join(kind_label(k) for k in ROLES[role].org_kinds),
                    "org": organization.name,
                },
                code="not_party_org",
            )
        node = organization.node
    elif ROLES[role].org_limited:
        raise ActionError(
            _("The role “%(role)s” is granted for an organization: choose it.") % {"role": ROLES[role].label},
            code="org_required",
        )
    if not can(acting_user, Grant, "add", node.path):
        raise NotFound()
    if ROLES[role] not in roles_grantable(acting_user, node.path):
        raise ActionError(
            _("You cannot grant the role “%(role)s”: it is stronger than what you hold at “%(node)s”.")
            % {"role": ROLES[role].label, "node": node.name},
            code="role_too_strong",
        )
    if acting_user is not None and getattr(acting_user, "pk", None) == user.pk and not acting_user.is_superuser:
        raise ActionError(_("You cannot grant a role to yourself."), code="self_grant")
    with acting_as(acting_user), transaction.atomic():
        grant, created = Grant.objects.get_or_create(
            user=user,
            role=role,
            node=node,
            organization=organization,
            defaults={"granted_by": acting_user if getattr(acting_user, "pk", None) else None},
        )
        if not created:
            raise ActionError(_("%(user)s already holds this role there.") % {"user": user}, code="duplicate")
        if user.node_id is None:
            user.node = node
            user.save(update_fields=["node", "path"])
    forget_grants(user)
    return grant


def do_revoke(grant: Grant, *, acting_user: Any) -> None:
    with acting_as(acting_user), transaction.atomic():
        if not Grant.objects.restrict(acting_user, "delete").filter(pk=grant.pk).exists():
            raise NotFound()
        if ROLES[grant.role] not in roles_grantable(acting_user, grant.path) and not acting_user.is_superuser:
            raise ActionError(_("You cannot revoke a role stronger than your own."), code="role_too_strong")
        grant.delete()
    forget_grants(grant.user)
