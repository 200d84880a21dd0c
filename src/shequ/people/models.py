"""Residents and households: the registry every later module refers to (domain §3)."""

from __future__ import annotations

import operator
import re
from functools import reduce
from typing import Any, Self

from django.db import connection, models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.core.crypto import EncryptedTextField
from shequ.core.fields import path_index
from shequ.core.models import ScopedModel, TimeStampedModel, import_job_field
from shequ.core.querysets import RestrictedQuerySet
from shequ.core.text import name_pinyin

from .fields import BlindIndexField
from .identity import mask_id

# The 56 ethnic groups, as written on identity cards.
ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族",
    "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族",
    "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族",
    "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
]  # fmt: skip


class Gender(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("registered resident")
    FLOATING = "floating", _("floating population")
    LEFT = "left", _("registered but living elsewhere")


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("Party member")
    PROBATIONARY = "probationary", _("probationary Party member")
    LEAGUE_MEMBER = "league_member", _("Communist Youth League member")
    DEMOCRATIC_PARTY = "democratic_party", _("member of a democratic party")
    NONE = "masses", _("ordinary citizen")


class Education(models.TextChoices):
    NONE = "none", _("no schooling")
    PRIMARY = "primary", _("primary school")
    JUNIOR = "junior", _("junior secondary")
    SENIOR = "senior", _("senior secondary or vocational")
    COLLEGE = "college", _("junior college")
    BACHELOR = "bachelor", _("bachelor")
    MASTER = "master", _("master")
    DOCTOR = "doctor", _("doctorate")


class Employment(models.TextChoices):
    EMPLOYED = "employed", _("employed")
    SELF_EMPLOYED = "self_employed", _("self-employed")
    UNEMPLOYED = "unemployed", _("unemployed")
    RETIRED = "retired", pgettext_lazy("employment status", "retired")
    STUDENT = "student", _("student")
    OTHER = "other", _("other")


class ArchiveReason(models.TextChoices):
    MOVED_AWAY = "moved_away", _("moved away")
    LEFT = "left", _("left the territory")
    DECEASED = "deceased", _("deceased")
    DUPLICATE = "duplicate", _("duplicate record")


class Relation(models.TextChoices):
    HEAD = "head", _("head of household")
    SPOUSE = "spouse", _("spouse")
    CHILD = "child", _("child")
    PARENT = "parent", _("parent")
    GRANDCHILD = "grandchild", _("grandchild")
    GRANDPARENT = "grandparent", _("grandparent")
    SIBLING = "sibling", _("sibling")
    CHILD_IN_LAW = "child_in_law", _("son- or daughter-in-law")
    OTHER_RELATIVE = "relative", _("other relative")
    OTHER = "other", _("other")


def is_root_path(path: str) -> bool:
    """The path of a top node (the city): a grant there covers the whole territory."""
    return path.count(".") == 1


class CareTagQuerySet(models.QuerySet):
    """The tags are one list for the whole territory: whoever may view people sees all of it; changing it
    takes the right on the whole territory (a superuser, or a grant on the city itself)."""

    def restrict(self, user: Any, action: str = "view", perm_model: Any = None) -> Self:
        from shequ.accounts.scope import scope_paths

        paths = scope_paths(user, perm_model or self.model, action)
        if paths is None:
            return self
        if action in ("view", "export"):
            return self if paths else self.none()
        return self if any(is_root_path(p) for p in paths) else self.none()


class CareTag(TimeStampedModel):
    """An editable special-care tag: elderly living alone, disabled, low-income, entitled groups …"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = CareTagQuerySet.as_manager()
    search_fields = ("name__icontains", "code__startswith")

    class Meta:
        verbose_name = _("special-care tag")
        verbose_name_plural = _("special-care tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("people:caretag_detail", args=[self.pk])


class Household(ScopedModel):
    """A household living in a dwelling (a unit or building node), with a head and members."""

    number = models.CharField(_("household number"), max_length=40, blank=True)
    address = models.CharField(_("room / address detail"), max_length=100, blank=True, help_text=_("e.g. 3-402"))
    head = models.ForeignKey(
        "Resident", verbose_name=_("head"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dissolved = models.BooleanField(_("dissolved"), default=False)
    import_job = import_job_field()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["path", "address"]
        indexes = [
            path_index("people_household_path", "path"),
            models.Index(fields=["number"], name="people_household_number"),
        ]

    def __str__(self) -> str:
        """The dwelling with its building (3号楼 2单元 402): a unit's name alone is found in every building."""
        if not self.node_id:
            return self.address
        from .distinct import dwelling

        return f"{dwelling(self.node)} {self.address}".strip()

    def get_absolute_url(self) -> str:
        return reverse("people:household_detail", args=[self.pk])

    def member_list(self) -> list[Resident]:
        """Current members, the head first."""
        members = list(self.members.filter(archived=False).select_related("node").order_by("name", "id"))
        members.sort(key=lambda r: (r.pk != self.head_id,))
        return members


class Resident(ScopedModel):
    """A person living in (or registered in) the territory. Never deleted: archived with a reason."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    pinyin = models.CharField(max_length=255, blank=True, editable=False)
    initials = models.CharField(max_length=50, blank=True, editable=False)
    # The identity number is stored encrypted; id_hash (HMAC) finds it; id_masked is what screens show.
    id_number = EncryptedTextField(_("identity number"), blank=True)
    id_hash = BlindIndexField(null=True, blank=True)
    id_masked = models.CharField(_("identity number"), max_length=18, blank=True, editable=False)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    political_status = models.CharField(
        _("political status"), max_length=20, choices=PoliticalStatus.choices, blank=True
    )
    employment = models.CharField(_("employment status"), max_length=20, choices=Employment.choices, blank=True)
    residence_type = models.CharField(
        _("residence type"), max_length=20, choices=ResidenceType.choices, default=ResidenceType.REGISTERED
    )
    tags = models.ManyToManyField(CareTag, verbose_name=_("special-care tags"), blank=True, related_name="residents")
    household = models.ForeignKey(
        Household, verbose_name=_("household"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    relation = models.CharField(_("relation to the head"), max_length=20, choices=Relation.choices, blank=True)
    archived = models.BooleanField(_("archived"), default=False)
    archived_reason = models.CharField(_("reason archived"), max_length=20, choices=ArchiveReason.choices, blank=True)
    archived_on = models.DateField(_("archived on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    import_job = import_job_field()

    # The last one finds a resident by the full identity number typed in a search box (blind index).
    search_fields = ("name__icontains", "pinyin__startswith", "initials__startswith", "id_hash__identity")

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["path", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_hash"], condition=Q(id_hash__isnull=False), name="people_resident_id_hash"
            ),
        ]
        indexes = [
            path_index("people_resident_path", "path"),
            models.Index(fields=["pinyin"], name="people_resident_pinyin"),
            models.Index(fields=["initials"], name="people_resident_initials"),
            models.Index(fields=["name"], name="people_resident_name"),
            models.Index(fields=["phone"], name="people_resident_phone"),  # the search box finds one by phone
            # The lists' order (Meta.ordering): PostgreSQL cannot order by the path's pattern index, and
            # sorted a million rows for the first page of a city-wide list (4 s); with it, 0.2 ms.
            models.Index(fields=["path", "name", "id"], name="people_resident_order"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.pinyin, self.initials = name_pinyin(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("people:resident_detail", args=[self.pk])

    @property
    def distinction(self) -> str:
        """What tells this resident apart from another of the same name (birth year, masked number, dwelling)."""
        from .distinct import details

        return " · ".join(details(self))

    # -- search hooks (shequ.core.filtersets.search_q / search_token / token_q) -----------------------
    @classmethod
    def search_condition(cls, value: str) -> Q:
        """Search only what *value* can be: a full identity number by its blind index alone (an OR with
        the name patterns would scan every resident), letters by pinyin or initials (prefixes, indexed),
        anything with Chinese characters by the beginning of the name; other digits find nobody (no scan
        of numbers)."""
        token = cls.search_token(value)
        if token is not None:
            return cls.token_condition(token)
        phone = cls.search_phone(value)
        if phone is not None:
            return Q(phone=phone)  # by its index
        letters = value.replace(" ", "").lower()
        if letters.isascii() and letters.isalpha():
            return cls._starting("pinyin", "initials", prefix=letters)
        if letters.isascii() and not any(c.isalpha() for c in letters):
            return Q(pk__in=[])
        # A name is looked up from its beginning (the surname first), by the index: a substring match
        # (LIKE '%…%') reads every resident in scope, over a second for a city-wide grant.
        return cls._starting("name", prefix=value.strip())

    @classmethod
    def _starting(cls, *fields: str, prefix: str) -> Q:
        """Residents whose *fields* (one of them) start with *prefix* (lower-case letters or a name), by
        their indexes.

        A range, not ``startswith``: SQLite's LIKE ignores case and PostgreSQL's needs the C collation or
        pattern ops, so neither uses the plain index for a LIKE prefix and both would scan a million rows.
        On PostgreSQL the ranges are plain conditions: with its statistics the planner walks the list's
        order index when many match (initials "hj": 8,000 residents, 16 ms instead of 380 ms to sort
        them all).  On SQLite they are ``id IN (…)``: without statistics it would otherwise walk the
        scope's path range (all the residents, for a city-wide grant) instead of these indexes."""
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        ranges = [Q(**{f"{field}__gte": prefix, f"{field}__lt": upper}) for field in fields]
        if connection.vendor == "postgresql":
            return reduce(operator.or_, ranges)
        ids = [cls._base_manager.filter(condition).order_by().values("pk") for condition in ranges]
        return Q(pk__in=ids[0].union(*ids[1:], all=True) if len(ids) > 1 else ids[0])

    @staticmethod
    def search_phone(value: str) -> str | None:
        """*value* as a stored phone number (138 1234 5678, +86 138-1234-5678, 027-8765 4321 → as stored) if it
        is a whole one, else None."""
        from shequ.core.cells import RowError, phone_cell

        digits = re.sub(r"[\s()\-+]", "", value)
        if not digits.isdigit() or not 7 <= len(digits) <= 15:
            return None
        try:
            return phone_cell(value) or None
        except RowError:
            return None

    @classmethod
    def search_token(cls, value: str) -> str | None:
        """The blind index of *value* if it is a full, valid identity number (to search by, and to carry in
        URLs instead of the number: the HMAC is keyed), else None."""
        from .fields import id_hash_of
        from .identity import IdentityError, parse_identity

        try:
            number = parse_identity(value).number
        except IdentityError:
            return None
        return id_hash_of(number)

    @classmethod
    def token_condition(cls, token: str) -> Q:
        return Q(id_hash=token)

    def set_identity_number(self, number: str) -> None:
        """Store a normalised, checked number: encrypted, with its blind index and masked form."""
        from .fields import id_hash_of

        self.id_number = number
        self.id_hash = id_hash_of(number) if number else None
        self.id_masked = mask_id(number)

    @property
    def age(self) -> int | None:
        if self.birth_date is None:
            return None
        from django.utils import timezone

        today = timezone.localdate()
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def move_history(self) -> models.QuerySet[ResidentMove]:
        return self.moves.select_related("from_node", "to_node", "recorded_by")


class ResidentMove(models.Model):
    """Where a resident lived before: every move is kept.  Visible to whoever may view the resident."""

    resident = models.ForeignKey(Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="moves")
    from_node = models.ForeignKey(
        "territory.Node", verbose_name=_("from"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_node = models.ForeignKey(
        "territory.Node", verbose_name=_("to"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moved_on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope_field = "resident__path"

    class Meta:
        verbose_name = _("move")
        verbose_name_plural = _("moves")
        ordering = ["-moved_on", "-id"]

    def __str__(self) -> str:
        return f"{self.resident} {self.moved_on}"
