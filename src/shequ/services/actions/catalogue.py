"""Writes on the catalogue that do more than save one row."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from shequ.core.actions import acting_as, do_update_object
from shequ.services.models import ServiceCategory


def do_update_category(category: ServiceCategory, *, acting_user: Any) -> ServiceCategory:
    """Save the category; one made not public takes its sub-categories along (each change audited), so
    that the catalogue says of each category what the public feeds do with its requests."""
    with acting_as(acting_user), transaction.atomic():
        do_update_object(category, acting_user=acting_user)
        if not category.public:
            for child in ServiceCategory.objects.filter(parent=category, public=True):
                child.public = False
                child.save(update_fields=["public", "updated"])
    return category
