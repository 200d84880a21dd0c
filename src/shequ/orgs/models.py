"""Organizations of every kind (domain §2) and the posts people hold in them, from when to when."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc

from shequ.core.fields import path_index
from shequ.core.models import ScopedModel
from shequ.core.querysets import RestrictedQuerySet
from shequ.core.text import pinyin_of
from shequ.territory.models import Kind as NodeKind


class OrgKind(models.TextChoices):
    # Party organizations: the only kinds that form a tree (see PARTY_PARENTS).
    STREET_COMMITTEE = "street_committee", _("street party working committee")
    COMMUNITY_COMMITTEE = "community_committee", _("community party committee")
    GENERAL_BRANCH = "general_branch", _("party general branch")
    BRANCH = "branch", _("party branch")
    PARTY_GROUP = "party_group", _("party group")
    FUNCTIONAL_GROUP = "functional_group", _("functional party group")
    # Self-governing and service organizations.
    RESIDENTS_COMMITTEE = "residents_committee", _("residents' committee")
    OWNERS_COMMITTEE = "owners_committee", _("owners' committee")
    DEMOCRATIC_COUNCIL = "democratic_council", _("democratic council")
    ESTATE_MANAGEMENT = "estate_management", _("residential-area management committee")
    MANAGEMENT_GROUP = "management_group", _("management group (two heads, four members)")
    SERVICE_STATION = "service_station", _("community service station")
    SOCIAL = "social", _("social organization")
    VOLUNTEER_STATION = "volunteer_station", _("volunteer service station")
    VOLUNTEER_TEAM = "volunteer_team", _("volunteer team")
    MEDIATION_COMMITTEE = "mediation_committee", _("people's mediation committee")
    MEDIATION_STATION = "mediation_station", _("mediation workstation")
    # Units and companies working in the community.
    PROPERTY_COMPANY = "property_company", _("property company")
    RESIDENT_UNIT = "resident_unit", _("resident unit")
    ALLIANCE = "alliance", _("party-building alliance")
    NONPUBLIC_ENTERPRISE = "nonpublic_enterprise", _("non-public enterprise (“two new”)")
    NEW_SOCIAL_ORG = "new_social_org", _("new social organization (“two new”)")
    OTHER = "other", _("other")


# Which party kinds may stand directly under which (street committee → general branch → branch → group).
PARTY_PARENTS: dict[str, tuple[str, ...]] = {
    OrgKind.STREET_COMMITTEE: (),
    OrgKind.COMMUNITY_COMMITTEE: (OrgKind.STREET_COMMITTEE,),
    OrgKind.GENERAL_BRANCH: (OrgKind.STREET_COMMITTEE, OrgKind.COMMUNITY_COMMITTEE),
    OrgKind.BRANCH: (OrgKind.STREET_COMMITTEE, OrgKind.COMMUNITY_COMMITTEE, OrgKind.GENERAL_BRANCH),
    OrgKind.PARTY_GROUP: (OrgKind.BRANCH,),
    OrgKind.FUNCTIONAL_GROUP: (OrgKind.BRANCH,),
}
PARTY_KINDS = tuple(PARTY_PARENTS)
# The party organization leading a community: the highest of these at the community's node.
COMMUNITY_PARTY_KINDS = (OrgKind.COMMUNITY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH)
PARTY_RANK = {kind: rank for rank, kind in enumerate(PARTY_KINDS)}
TWO_NEW_KINDS = (OrgKind.NONPUBLIC_ENTERPRISE, OrgKind.NEW_SOCIAL_ORG)
REGISTRABLE_KINDS = (OrgKind.SOCIAL, OrgKind.NEW_SOCIAL_ORG)

# Where an organization may sit (kinds not listed: any place).
ALLOWED_NODES: dict[str, tuple[str, ...]] = {
    OrgKind.STREET_COMMITTEE: (NodeKind.STREET,),
    OrgKind.COMMUNITY_COMMITTEE: (NodeKind.COMMUNITY,),
    OrgKind.GENERAL_BRANCH: (NodeKind.COMMUNITY, NodeKind.GRID, NodeKind.ESTATE),
    OrgKind.BRANCH: (NodeKind.STREET, NodeKind.COMMUNITY, NodeKind.GRID, NodeKind.ESTATE, NodeKind.BUILDING),
    OrgKind.PARTY_GROUP: (NodeKind.COMMUNITY, NodeKind.GRID, NodeKind.ESTATE, NodeKind.BUILDING, NodeKind.UNIT),
    OrgKind.FUNCTIONAL_GROUP: (NodeKind.COMMUNITY, NodeKind.GRID, NodeKind.ESTATE, NodeKind.BUILDING),
    OrgKind.RESIDENTS_COMMITTEE: (NodeKind.COMMUNITY,),
    OrgKind.SERVICE_STATION: (NodeKind.COMMUNITY,),
    OrgKind.VOLUNTEER_STATION: (NodeKind.COMMUNITY,),
    OrgKind.OWNERS_COMMITTEE: (NodeKind.ESTATE,),
    OrgKind.ESTATE_MANAGEMENT: (NodeKind.ESTATE,),
    OrgKind.MANAGEMENT_GROUP: (NodeKind.GRID, NodeKind.ESTATE, NodeKind.BUILDING),
    OrgKind.VOLUNTEER_TEAM: (NodeKind.COMMUNITY, NodeKind.GRID, NodeKind.ESTATE),
    OrgKind.DEMOCRATIC_COUNCIL: (NodeKind.COMMUNITY, NodeKind.ESTATE),
}


class Registration(models.TextChoices):
    REGISTERED = "registered", _("registered with civil affairs")
    FILED = "filed", _("filed with the community party organization")


def validate_uscc(value: str) -> None:
    try:
        uscc.validate(value)
    except Exception:
        raise ValidationError(
            _("“%(value)s” is not a valid unified social credit code (18 characters with a check character)."),
            code="invalid_code",
            params={"value": value},
        ) from None


def kind_label(kind: str) -> str:
    try:
        return str(OrgKind(kind).label)
    except ValueError:
        return kind


def parent_error(kind: str, parent: Any) -> str | None:
    """Why *parent* cannot be the parent organization of an organization of *kind* (None: it can)."""
    if parent is None:
        return None
    if kind not in PARTY_PARENTS:
        return str(
            _(
                "Only party organizations form a tree: a %(kind)s cannot stand under “%(parent)s”. "
                "Leave the parent organization empty."
            )
            % {"kind": kind_label(kind), "parent": parent.name}
        )
    allowed = PARTY_PARENTS[kind]
    if parent.kind in allowed:
        return None
    if not allowed:
        return str(
            _("A %(kind)s is the top of the party organization tree and has no parent organization.")
            % {"kind": kind_label(kind)}
        )
    return str(
        _("A %(kind)s cannot stand under the %(parent_kind)s “%(parent)s”: it belongs under a %(where)s.")
        % {
            "kind": kind_label(kind),
            "parent_kind": kind_label(parent.kind),
            "parent": parent.name,
            "where": "、".join(kind_label(k) for k in allowed),
        }
    )


class Organization(ScopedModel):
    """An organization sitting on a node: a party organization, committee, station, team, company, unit …"""

    kind = models.CharField(_("kind"), max_length=24, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=100)
    pinyin = models.CharField(max_length=255, blank=True, editable=False)
    initials = models.CharField(max_length=100, blank=True, editable=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("Party organizations only: street committee → general branch → branch → group."),
    )
    code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        null=True,
        blank=True,
        validators=[validate_uscc],
        help_text=_("18 characters, where the organization has one."),
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Social organizations (000 §3): registered with civil affairs, or filed with the community party organization.
    registration = models.CharField(
        _("registration"), max_length=12, choices=Registration.choices, blank=True, default=""
    )
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    # Property companies (000 §7): the residential areas served and the service contract.
    estates = models.ManyToManyField(
        "territory.Node",
        verbose_name=_("residential areas served"),
        blank=True,
        related_name="property_companies",
        limit_choices_to={"kind": NodeKind.ESTATE},
    )
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    # Party-building alliances: their member units.
    members = models.ManyToManyField(
        "self", verbose_name=_("member units"), blank=True, symmetrical=False, related_name="alliances"
    )
    # "Two new" organizations (000 §1): double coverage.
    has_party_org = models.BooleanField(_("has a party organization"), default=False)
    party_work_carried_out = models.BooleanField(_("party work carried out"), default=False)
    active = models.BooleanField(_("active"), default=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    dissolved_reason = models.CharField(_("reason dissolved"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    search_fields = ("name__icontains", "pinyin__startswith", "initials__startswith", "code__startswith")

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(code__isnull=False),
                name="orgs_organization_code",
                violation_error_message=_("Another organization already has this unified social credit code."),
            ),
            models.UniqueConstraint(
                fields=["node", "name"],
                condition=Q(active=True),
                name="orgs_organization_name_per_node",
                violation_error_message=_("An active organization with this name already sits on this place."),
            ),
        ]
        indexes = [
            path_index("orgs_organization_path", "path"),
            models.Index(fields=["kind", "path"], name="orgs_organization_kind_path"),
            models.Index(fields=["pinyin"], name="orgs_organization_pinyin"),
            models.Index(fields=["name"], name="orgs_organization_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.pinyin, self.initials = pinyin_of(self.name)
        if not self.code:
            self.code = None
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("orgs:organization_detail", args=[self.pk])

    @property
    def is_party(self) -> bool:
        return self.kind in PARTY_KINDS

    @property
    def is_two_new(self) -> bool:
        return self.kind in TWO_NEW_KINDS

    @property
    def contract_days_left(self) -> int | None:
        if self.contract_end is None:
            return None
        return (self.contract_end - timezone.localdate()).days

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}

        def add(field: str, message: Any) -> None:
            errors.setdefault(field, []).append(str(message))

        kind = self.kind
        self.name = (self.name or "").strip()
        if self.code:
            self.code = self.code.strip().upper()
        node = self.node if self.node_id else None
        allowed_nodes = ALLOWED_NODES.get(kind)
        if node is not None and allowed_nodes and node.kind not in allowed_nodes:
            add(
                "node",
                _("A %(kind)s sits on a %(where)s, not on the %(node_kind)s “%(node)s”.")
                % {
                    "kind": kind_label(kind),
                    "where": "、".join(str(NodeKind(k).label) for k in allowed_nodes),
                    "node_kind": node.get_kind_display(),
                    "node": node.name,
                },
            )
        parent = self.parent if self.parent_id else None
        if parent is not None:
            message = parent_error(kind, parent)
            if message is None and self.pk and parent.pk == self.pk:
                message = str(_("An organization cannot be its own parent."))
            if message is None and node is not None and not node.path.startswith(parent.path):
                message = str(
                    _("“%(parent)s” sits on “%(parent_node)s”, which is not above “%(node)s”.")
                    % {"parent": parent.name, "parent_node": parent.node.name, "node": node.name}
                )
            if message is None and not parent.active:
                message = str(_("“%(parent)s” is dissolved.") % {"parent": parent.name})
            if message:
                add("parent", message)
        if self.pk and kind:
            # A change of kind must keep the organizations under it valid.
            for child in Organization.objects.filter(parent_id=self.pk, active=True).only("name", "kind")[:50]:
                if kind not in PARTY_PARENTS.get(child.kind, ()):
                    add(
                        "kind",
                        _("“%(child)s” (a %(child_kind)s) stands under this organization, so it cannot be a %(kind)s.")
                        % {"child": child.name, "child_kind": kind_label(child.kind), "kind": kind_label(kind)},
                    )
                    break
        if kind not in REGISTRABLE_KINDS and (self.registration or self.filed_on or self.registered_on):
            add("registration", _("Only social organizations are registered or filed."))
        if self.registration == Registration.REGISTERED and self.filed_on and self.registered_on:
            if self.registered_on < self.filed_on:
                add("registered_on", _("Registration comes after filing, not before."))
        if self.registration == Registration.FILED and self.registered_on:
            add("registered_on", _("A filed organization has no registration date yet; choose “registered”."))
        if kind != OrgKind.PROPERTY_COMPANY and (self.contract_start or self.contract_end):
            add("contract_start", _("Only property companies have a service contract."))
        if self.contract_start and self.contract_end and self.contract_end < self.contract_start:
            add("contract_end", _("The contract cannot end before it starts."))
        if kind not in TWO_NEW_KINDS and (self.has_party_org or self.party_work_carried_out):
            add("has_party_org", _("Party-organization and work coverage are recorded for “two new” organizations."))
        if self.active and self.dissolved_on:
            add(NON_FIELD_ERRORS, _("An active organization has no dissolution date."))
        if self.dissolved_on and self.established_on and self.dissolved_on < self.established_on:
            add("established_on", _("It cannot be dissolved before it was established."))
        if errors:
            raise ValidationError(errors)


class Title(models.TextChoices):
    SECRETARY = "secretary", _("secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("deputy secretary")
    FIRST_SECRETARY = "first_secretary", _("first secretary")
    DIRECTOR = "director", _("director")
    DEPUTY_DIRECTOR = "deputy_director", _("deputy director")
    MEMBER = "member", _("member")
    PART_TIME_MEMBER = "part_time_member", _("part-time member")
    STATION_HEAD = "station_head", _("station head")
    GROUP_LEADER = "group_leader", _("group leader")
    BUILDING_HEAD = "building_head", _("building head")
    GRID_WORKER = "grid_worker", _("grid worker")
    HEALTH_MEMBER = "health_member", _("health member")
    SECURITY_MEMBER = "security_member", _("security member")
    CULTURE_MEMBER = "culture_member", _("culture and sports member")
    PROPERTY_MANAGER = "property_manager", _("property manager")
    CAPTAIN = "captain", _("team captain")
    MANAGER = "manager", _("manager")
    MEDIATOR = "mediator", _("mediator")
    LIAISON = "liaison", _("liaison")
    STAFF = "staff", _("staff")
    OTHER = "other", _("other")


# Posts that make someone a member of a committee (for cross-posting).
COMMITTEE_TITLES = (
    Title.SECRETARY,
    Title.DEPUTY_SECRETARY,
    Title.DIRECTOR,
    Title.DEPUTY_DIRECTOR,
    Title.MEMBER,
    Title.PART_TIME_MEMBER,
)


class PostQuerySet(RestrictedQuerySet):
    def current(self, on: date | None = None) -> PostQuerySet:
        """Posts held on *on* (today by default): started, and not yet ended."""
        on = on or timezone.localdate()
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gt=on), start_date__lte=on)


class Post(ScopedModel):
    """Who holds which post in which organization, from when to when (end empty: still held).

    ``node`` and ``path`` are the organization's, so a post's scope is the organization's.
    """

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="posts"
    )
    person = models.ForeignKey(
        "people.Resident",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="org_posts",
        help_text=_("A registered resident; otherwise type the name below."),
    )
    person_name = models.CharField(
        _("name (not a registered resident)"),
        max_length=50,
        blank=True,
        help_text=_("For someone who is not in the resident register."),
    )
    title = models.CharField(_("post"), max_length=20, choices=Title.choices)
    title_other = models.CharField(_("post (other)"), max_length=50, blank=True)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"), null=True, blank=True, help_text=_("Empty while the post is held."))
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    objects = PostQuerySet.as_manager()  # type: ignore[assignment,misc]

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["path", "organization_id", "-start_date", "id"]
        indexes = [
            path_index("orgs_post_path", "path"),
            models.Index(fields=["organization", "title"], name="orgs_post_org_title"),
            models.Index(fields=["person"], name="orgs_post_person"),
            models.Index(fields=["end_date"], name="orgs_post_end"),
        ]

    def __str__(self) -> str:
        return f"{self.holder} · {self.title_display}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.node_id = self.organization.node_id
        self.node = self.organization.node
        if self.person_id:
            self.person_name = ""
        if self.title != Title.OTHER:
            self.title_other = ""
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("orgs:post_detail", args=[self.pk])

    @property
    def holder(self) -> str:
        if self.person_id and self.person is not None:
            return str(self.person.name)
        return self.person_name

    @property
    def title_display(self) -> str:
        if self.title == Title.OTHER and self.title_other:
            return self.title_other
        return str(self.get_title_display())

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.start_date <= today and (self.end_date is None or self.end_date > today)

    def overlapping(self) -> models.QuerySet[Post]:
        """Posts of the same person, organization and title whose dates overlap this one's."""
        qs = Post.objects.filter(organization_id=self.organization_id, title=self.title)
        if self.title == Title.OTHER:
            qs = qs.filter(title_other=self.title_other)
        if self.person_id:
            qs = qs.filter(person_id=self.person_id)
        else:
            qs = qs.filter(person__isnull=True, person_name=self.person_name)
        if self.pk:
            qs = qs.exclude(pk=self.pk)
        ignored = getattr(self, "overlap_ignored", ())
        if ignored:
            # Posts whose dates are being changed by the same import, which checks them itself.
            qs = qs.exclude(pk__in=ignored)
        # Half-open periods [start, end): a post ending on a day and the next starting that day do not overlap.
        qs = qs.filter(Q(end_date__isnull=True) | Q(end_date__gt=self.start_date))
        if self.end_date is not None:
            qs = qs.filter(start_date__lt=self.end_date)
        return qs

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}

        def add(field: str, message: Any) -> None:
            errors.setdefault(field, []).append(str(message))

        self.person_name = (self.person_name or "").strip()
        self.title_other = (self.title_other or "").strip()
        if self.person_id:
            self.person_name = ""
        elif not self.person_name:
            add("person", _("Choose a resident, or type the name of someone who is not registered."))
        if self.title == Title.OTHER and not self.title_other:
            add("title_other", _("Name the post."))
        if self.start_date and self.end_date and self.end_date < self.start_date:
            add("end_date", _("A post cannot end before it starts."))
        org = self.organization if self.organization_id else None
        if org is not None and not org.active and self.end_date is None:
            add("end_date", _("“%(org)s” is dissolved: a post in it needs an end date.") % {"org": org.name})
        if not errors and org is not None and self.start_date:
            clash = self.overlapping().order_by("start_date").first()
            if clash is not None:
                add(
                    "start_date",
                    _("%(person)s already holds the post of %(title)s in “%(org)s” from %(start)s%(end)s.")
                    % {
                        "person": self.holder,
                        "title": self.title_display,
                        "org": org.name,
                        "start": clash.start_date.isoformat(),
                        "end": _(" to %(end)s") % {"end": clash.end_date.isoformat()} if clash.end_date else "",
                    },
                )
        if errors:
            raise ValidationError(errors)
