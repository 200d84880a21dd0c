from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.fields import PathField, path_index
from shequ.core.querysets import RestrictedQuerySet

from .roles import ROLE_CHOICES, ROLES, Role


class RestrictedUserManager(UserManager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    node = models.ForeignKey(
        "territory.Node",
        verbose_name=_("home node"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The part of the territory this account belongs to."),
    )
    path = PathField()

    objects = RestrictedUserManager()  # type: ignore[misc]
    search_fields = ("username__icontains", "full_name__icontains")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        indexes = [path_index("accounts_user_path", "path")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.username})" if self.full_name else self.username

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.path = self.node.path if self.node_id and self.node else ""
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", args=[self.pk])

    def get_additional_data(self) -> dict:
        return {"path": self.path}


class Grant(models.Model):
    """A role held on a node; it covers the node's whole subtree."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("role"), max_length=32, choices=ROLE_CHOICES)
    node = models.ForeignKey("territory.Node", verbose_name=_("node"), on_delete=models.PROTECT, related_name="+")
    path = PathField()
    # For roles limited to an organization (a branch secretary): the party organization the grant is for;
    # the grant then reaches that organization and those below it, not everything at the place.
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("party organization"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_by = models.ForeignKey(
        User, verbose_name=_("granted by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(_("created"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "node"], condition=Q(organization__isnull=True), name="accounts_grant_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organization"],
                condition=Q(organization__isnull=False),
                name="accounts_grant_org_unique",
            ),
        ]
        indexes = [path_index("accounts_grant_path", "path")]

    def __str__(self) -> str:
        where = self.organization if self.organization_id else self.node
        return f"{self.user} · {self.get_role_display()} · {where}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.path = self.node.path
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", args=[self.user_id])

    def get_additional_data(self) -> dict:
        return {"path": self.path}

    @property
    def role_obj(self) -> Role:
        return ROLES[self.role]


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class APIToken(models.Model):
    """A bearer token for the API.  Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="tokens")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    label = models.CharField(_("label"), max_length=100, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @classmethod
    def issue(cls, user: User, label: str = "") -> tuple[APIToken, str]:
        key = "shq_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, key_hash=hash_token(key), prefix=key[:10], label=label)
        return token, key

    @classmethod
    def authenticate(cls, key: str) -> User | None:
        """The user of the key, or None.  The token and its user are remembered by the process
        (``accounts.authcache``: a revocation takes effect at once)."""
        from . import authcache

        key_hash = hash_token(key)
        token = authcache.get("token", key_hash)
        if token is None:
            found = list(cls.objects.select_related("user").filter(key_hash=key_hash).order_by()[:1])
            token = found[0] if found else None
            if token is None or not token.user.is_active:
                return None
            authcache.put("token", key_hash, token)
        now = timezone.now()
        if token.expires and token.expires < now:
            return None
        if token.last_used is None or (now - token.last_used).total_seconds() > 60:
            cls.objects.filter(pk=token.pk).update(last_used=now)
            token.last_used = now
        return authcache.user_copy(token.user)


__all__ = ["User", "Grant", "APIToken", "settings"]
