"""What every party model shares: the person's identity (encrypted number, blind index, mask) and dates."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.core.crypto import EncryptedTextField
from shequ.core.text import name_pinyin
from shequ.people.fields import BlindIndexField
from shequ.people.identity import mask_id
from shequ.people.models import Education, Gender


def add_years(day: date, years: int) -> date:
    """The same day *years* later; 29 February becomes 1 March (a full year has passed only then)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, month=2, day=28) + timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """The same day *months* later; a day the month lacks becomes the first of the next month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    try:
        return day.replace(year=year, month=month)
    except ValueError:
        nxt = date(year + (month // 12), month % 12 + 1, 1)
        return nxt


def age_on(born: date | None, on: date) -> int | None:
    """Full years of age on *on* (the birthday itself counts)."""
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class PersonFields(models.Model):
    """Name (with pinyin for search), identity number as in ``people.Resident``, gender, birth date, phone."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    pinyin = models.CharField(max_length=255, blank=True, editable=False)
    initials = models.CharField(max_length=50, blank=True, editable=False)
    # Stored encrypted; id_hash (HMAC) finds it; id_masked is what screens show.
    id_number = EncryptedTextField(_("identity number"), blank=True)
    id_hash = BlindIndexField(null=True, blank=True)
    id_masked = models.CharField(_("identity number"), max_length=18, blank=True, editable=False)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.pinyin, self.initials = name_pinyin(self.name)
        super().save(*args, **kwargs)

    # -- search hooks, as people.Resident's (shequ.core.filtersets.search_q / search_token / token_q) ---------
    @classmethod
    def search_condition(cls, value: str) -> Q:
        """Search only what *value* can be: a full identity number by its blind index alone, letters by
        pinyin or initials (prefixes, indexed), anything with Chinese characters by the name; other digits
        (a partial number) find nobody."""
        token = cls.search_token(value)
        if token is not None:
            return cls.token_condition(token)
        letters = value.replace(" ", "").lower()
        if letters.isascii() and letters.isalpha():
            return Q(pinyin__startswith=letters) | Q(initials__startswith=letters)
        if letters.isascii() and not any(c.isalpha() for c in letters):
            return Q(pk__in=[])
        return Q(name__icontains=value.strip())

    @classmethod
    def search_token(cls, value: str) -> str | None:
        """The blind index of *value* if it is a full, valid identity number (carried in URLs instead of it)."""
        from shequ.people.models import Resident

        return Resident.search_token(value)

    @classmethod
    def token_condition(cls, token: str) -> Q:
        return Q(id_hash=token)

    @property
    def distinction(self) -> str:
        """What tells this person apart from another of the same name (birth year, masked number)."""
        from shequ.people.distinct import details

        return " · ".join(details(self, place=False))

    def set_identity_number(self, number: str) -> None:
        """Store a normalised, checked number: encrypted, with its blind index and masked form."""
        from shequ.people.fields import id_hash_of

        self.id_number = number
        self.id_hash = id_hash_of(number) if number else None
        self.id_masked = mask_id(number)

    def age(self, on: date | None = None) -> int | None:
        from django.utils import timezone

        return age_on(self.birth_date, on or timezone.localdate())
