from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.actions import acting_as, do_update_object, fetch
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.views import ViewSet

from . import actions
from .filtersets import GrantFilterSet, UserFilterSet
from .forms import GrantForm, UserForm
from .models import APIToken, Grant, User
from .roles import ROLES
from .scope import can, roles_grantable
from .tables import GrantTable, UserTable


class UserViewSet(ViewSet):
    model = User
    namespace = "accounts"
    filterset = UserFilterSet
    table = UserTable
    form = UserForm
    select_related = ("node",)
    detail_template = "accounts/user_detail.html"
    detail_fields = (
        "username",
        "full_name",
        "email",
        "phone",
        "node",
        "is_active",
        "last_login",
        "date_joined",
    )
    export_fields = ("username", "full_name", "email", "phone", "node", "is_active", "last_login")
    actions = ("list", "detail", "add", "edit", "delete", "bulk_delete", "export", "history")

    def create(self, form: Any) -> User:
        data = form.cleaned_data
        return actions.do_create_user(
            acting_user=self.user,
            username=data["username"],
            password=data.get("password") or None,
            node=data.get("node"),
            full_name=data.get("full_name", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
        )

    def update(self, form: Any, obj: User) -> User:
        user = form.save(commit=False)
        password = form.cleaned_data.get("password")
        with acting_as(self.user):
            saved = do_update_object(user, acting_user=self.user)
            if password:
                actions.do_set_password(saved, password, acting_user=self.user)
        return saved

    def delete(self, obj: User) -> None:
        if obj.pk == self.user.pk:
            raise ActionError(_("You cannot delete your own account."), code="self_delete")
        # Accounts are deactivated, not deleted: their audit trail stays attributable.
        obj.is_active = False
        do_update_object(obj, acting_user=self.user)


class GrantViewSet(ViewSet):
    model = Grant
    namespace = "accounts"
    filterset = GrantFilterSet
    table = GrantTable
    select_related = ("user", "node", "organization", "granted_by")
    actions = ("list", "export")
    export_fields = ("user", "role", "node", "organization", "granted_by", "created")


@login_required
def grant_add(request: HttpRequest, pk: str) -> HttpResponse:
    target = fetch(User.objects.all(), request.user, "view", pk)
    form = GrantForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_grant(
                target,
                form.cleaned_data["role"],
                form.cleaned_data["node"],
                acting_user=request.user,
                organization=form.cleaned_data.get("organization"),
            )
        except ActionError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("Role granted."))
            return HttpResponseRedirect(target.get_absolute_url())
    choices = [(r.code, r.label) for r in ROLES.values()]
    return render(
        request,
        "accounts/grant_add.html",
        {"object": target, "form": form, "roles": choices},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: str) -> HttpResponse:
    grant = fetch(Grant.objects.select_related("user"), request.user, "delete", pk)
    try:
        actions.do_revoke(grant, acting_user=request.user)
    except ActionError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Role revoked."))
    return HttpResponseRedirect(grant.user.get_absolute_url())


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Your own account: your grants and API tokens."""
    me: Any = request.user
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "token":
            _token, new_key = APIToken.issue(me, label=request.POST.get("label", "")[:100])
        elif action == "revoke_token":
            APIToken.objects.filter(user=me, pk=request.POST.get("token") or 0).delete()
            return HttpResponseRedirect(reverse("accounts:profile"))
    grants = Grant.objects.filter(user=me).select_related("node")
    tokens = APIToken.objects.filter(user=me).order_by("-created")
    return render(request, "accounts/profile.html", {"grants": grants, "tokens": tokens, "new_key": new_key})


def grantable_roles(request: HttpRequest, node_path: str) -> list[Any]:
    return roles_grantable(request.user, node_path)


__all__ = ["UserViewSet", "GrantViewSet", "grant_add", "grant_revoke", "profile", "can", "NotFound"]
