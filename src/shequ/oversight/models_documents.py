"""The files of a consent request (000 §19): the documents of a demolition or road reconstruction (permits, plans,
the residents' opinions …), uploaded and stored encrypted outside the web root (``core.files``).  The community
party organization consents only once they are on file."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.models import StoredFile
from shequ.core.querysets import RestrictedQuerySet


class ConsentDocument(StoredFile):
    """One uploaded document of a consent request; seen and downloaded only by users who see the request."""

    case = models.ForeignKey("oversight.ConsentRequest", on_delete=models.CASCADE, related_name="files")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()
    scope_field = "case__path"

    class Meta(StoredFile.Meta):
        verbose_name = _("consent document")
        verbose_name_plural = _("consent documents")

    def get_absolute_url(self) -> str:
        return reverse("oversight:consent_document", args=[self.pk])
