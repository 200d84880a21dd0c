"""Monthly Party dues paid (the amount due is computed by ``party.dues``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.fields import path_index
from shequ.core.models import ScopedModel


class DuesPayment(ScopedModel):
    """One month's dues of one member (``node``/``path``: the member's organization when paid)."""

    member = models.ForeignKey(
        "PartyMember", verbose_name=_("party member"), on_delete=models.PROTECT, related_name="dues_payments"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month paid for."))
    base = models.DecimalField(_("income base (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=8, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    org_scope_field = "member__organization"

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["path", "-month", "id"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="party_dues_once_a_month")]
        indexes = [path_index("party_dues_path", "path"), models.Index(fields=["month"], name="party_dues_month")]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("party:duespayment_detail", args=[self.pk])
