"""Organizational-relation transfers: between two organizations on the platform, or to and from outside it.

Internal: requested → approved by the sending organization → completed when the receiving one accepts;
the sender may reject, the receiver may return (each with a reason).  Outgoing: requested → approved
(the letter issued) → completed when the arrival is confirmed.  Incoming: registered with the letter
→ completed when the member arrives.  The member stays in the sending organization until completion,
so they belong to exactly one organization at every moment; a member has at most one open transfer
(a partial unique index on ``member`` where ``is_open``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.core.crypto import EncryptedTextField
from shequ.core.fields import PathField, path_index
from shequ.core.models import ScopedModel
from shequ.core.querysets import RestrictedQuerySet
from shequ.people.fields import BlindIndexField

from .members import Category, MemberStatus

# Without a letter's validity, an internal transfer should be completed within this many days.
TRANSFER_DAYS = 30


class TransferKind(models.TextChoices):
    INTERNAL = "internal", _("within the platform")
    OUTGOING = "outgoing", _("to an organization outside the platform")
    INCOMING = "incoming", _("from an organization outside the platform")


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", _("approved by the sending organization")
    COMPLETED = "completed", _("completed")
    REJECTED = "rejected", _("rejected by the sending organization")
    RETURNED = "returned", _("returned by the receiving organization")


OPEN_STATUSES = (TransferStatus.REQUESTED, TransferStatus.APPROVED)


def holder_in(orgs: Any) -> Q:
    """The transfers whose member is held by one of *orgs*: the receiver once an internal transfer is
    completed and always for an incoming one, the sender otherwise (the side ``path`` is the place of)."""
    received = Q(kind=TransferKind.INCOMING) | Q(kind=TransferKind.INTERNAL, status=TransferStatus.COMPLETED)
    return (received & Q(to_org__in=orgs)) | (~received & Q(from_org__in=orgs))


def holder_org_id(transfer: RelationTransfer) -> int | None:
    """The organization that holds the member of *transfer* (see ``holder_in``)."""
    if transfer.kind == TransferKind.INCOMING or (
        transfer.kind == TransferKind.INTERNAL and transfer.status == TransferStatus.COMPLETED
    ):
        return transfer.to_org_id
    return transfer.from_org_id


class TransferQuerySet(RestrictedQuerySet):
    """Both ends see an open transfer; once closed, only the side that keeps the member does."""

    def restrict(self, user: Any, action: str = "view", perm_model: Any = None) -> Self:
        from shequ.accounts.scope import reaches

        found = reaches(user, perm_model or self.model, action)
        if found is None:
            return self
        if not found:
            return self.none()
        condition = Q()
        for reach in found:
            if reach.orgs is None:
                condition |= Q(path__within=reach.path) | Q(is_open=True, to_path__within=reach.path)
            else:
                # A grant limited to organizations: the transfers of the organization holding the member,
                # and the open ones coming to it.
                orgs = sorted(reach.orgs)
                condition |= (Q(path__within=reach.path) & holder_in(orgs)) | Q(
                    is_open=True, to_path__within=reach.path, to_org__in=orgs
                )
        return self.filter(condition)

    def open(self) -> Self:
        return self.filter(is_open=True)

    def overdue(self, on: date | None = None) -> Self:
        on = on or timezone.localdate()
        return self.filter(is_open=True, due_on__lt=on)


class RelationTransfer(ScopedModel):
    """``node``/``path``: the side that holds the member (the sender while open; the receiver once
    completed, or the registering organization for an incoming transfer).  ``to_path``: the receiver's."""

    member = models.ForeignKey(
        "PartyMember",
        verbose_name=_("party member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=TransferKind.choices, default=TransferKind.INTERNAL)
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.REQUESTED
    )
    is_open = models.BooleanField(_("open"), default=True, editable=False)
    from_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    to_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    to_path = PathField()
    outside_org = models.CharField(
        _("organization outside the platform"), max_length=200, blank=True, help_text=_("Its full name.")
    )
    letter_number = models.CharField(_("letter number"), max_length=50, blank=True)
    valid_until = models.DateField(_("letter valid until"), null=True, blank=True)
    reason = models.CharField(_("reason for the transfer"), max_length=200, blank=True)
    requested_on = models.DateField(_("requested on"), default=timezone.localdate)
    due_on = models.DateField(_("due by"), null=True, blank=True, editable=False)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    response = models.CharField(_("reason for rejecting or returning"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # An incoming member not yet on the platform: who is coming (the archive is created on arrival).
    person_name = models.CharField(pgettext_lazy("person", "name"), max_length=50, blank=True)
    id_number = EncryptedTextField(_("identity number"), blank=True)
    id_hash = BlindIndexField(null=True, blank=True)
    id_masked = models.CharField(_("identity number"), max_length=18, blank=True, editable=False)
    member_status = models.CharField(_("member status"), max_length=20, choices=MemberStatus.choices[:2], blank=True)
    joined_on = models.DateField(_("joined the Party on"), null=True, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)

    objects = TransferQuerySet.as_manager()  # type: ignore[assignment,misc]
    search_fields = ("member__name__icontains", "member__pinyin__startswith", "person_name__icontains", "letter_number")

    class Meta:
        verbose_name = _("relation transfer")
        verbose_name_plural = _("relation transfers")
        ordering = ["-requested_on", "-id"]
        constraints = [
            # Two simultaneous transfers of one member are impossible, whatever the race.
            models.UniqueConstraint(
                fields=["member"], condition=Q(is_open=True, member__isnull=False), name="party_transfer_one_open"
            ),
            models.UniqueConstraint(
                fields=["id_hash"], condition=Q(is_open=True, id_hash__isnull=False), name="party_transfer_one_open_in"
            ),
            models.CheckConstraint(
                condition=Q(is_open=True, status__in=OPEN_STATUSES) | (Q(is_open=False) & ~Q(status__in=OPEN_STATUSES)),
                name="party_transfer_open_matches_status",
            ),
        ]
        indexes = [
            path_index("party_transfer_path", "path"),
            path_index("party_transfer_to_path", "to_path", "is_open"),
            models.Index(fields=["is_open", "due_on"], name="party_transfer_open_due"),
        ]

    def __str__(self) -> str:
        who = self.member.name if self.member_id and self.member else self.person_name
        return f"{who} · {self.get_kind_display()}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.is_open = self.status in OPEN_STATUSES
        self.to_path = self.to_org.path if self.to_org_id and self.to_org else ""
        if self.due_on is None and self.requested_on:
            self.due_on = self.valid_until or self.requested_on + timedelta(days=TRANSFER_DAYS)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("party:relationtransfer_detail", args=[self.pk])

    def get_additional_data(self) -> dict:
        return {"path": self.path, "to_path": self.to_path}

    def set_identity_number(self, number: str) -> None:
        from shequ.people.fields import id_hash_of
        from shequ.people.identity import mask_id

        self.id_number = number
        self.id_hash = id_hash_of(number) if number else None
        self.id_masked = mask_id(number)

    @property
    def from_label(self) -> str:
        if self.kind == TransferKind.INCOMING:
            return self.outside_org
        return self.from_org.name if self.from_org_id and self.from_org else ""

    @property
    def to_label(self) -> str:
        if self.kind == TransferKind.OUTGOING:
            return self.outside_org
        return self.to_org.name if self.to_org_id and self.to_org else ""

    @property
    def overdue(self) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < timezone.localdate()

    @property
    def person_label(self) -> str:
        return self.member.name if self.member_id and self.member else self.person_name
