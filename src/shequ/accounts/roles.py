"""Predefined roles: each a rank and a set of (model, action) permissions.

A grant of a role on a node covers the node's whole subtree.  Patterns: ``*`` (every
model), ``app.*`` (every model of an app) or ``app.model``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

VIEW, ADD, CHANGE, DELETE, IMPORT, EXPORT, VIEW_PII = (
    "view",
    "add",
    "change",
    "delete",
    "import",
    "export",
    "view_pii",
)
ACTIONS = (VIEW, ADD, CHANGE, DELETE, IMPORT, EXPORT, VIEW_PII)
ALL = frozenset(ACTIONS)
# orgs.models.PARTY_KINDS (not imported: the accounts app loads before orgs).
PARTY_ORG_KINDS = (
    "street_committee",
    "community_committee",
    "general_branch",
    "branch",
    "party_group",
    "functional_group",
)
READ = frozenset({VIEW, EXPORT})
# Models no "*" rule reaches: only a rule naming the app ("cadres.*") or the model does.  Community workers'
# pay and assessments (issue 15): the organization departments and the worker themself only.
CONFIDENTIAL = frozenset(
    {
        "cadres.paytable",
        "cadres.payrate",
        "cadres.paygrade",
        "cadres.assessment",
        "cadres.assessmentevent",
        "cadres.sanction",
    }
)
WRITE = frozenset({VIEW, ADD, CHANGE, IMPORT, EXPORT})


@dataclass(frozen=True)
class Role:
    code: str
    label: str | Promise
    rank: int
    rules: tuple[tuple[str, frozenset[str]], ...] = field(default_factory=tuple)
    # Models (patterns as in *rules*) where a grant of this role that names a party organization reaches
    # only the records of that organization and of the organizations below it, not the whole place.
    org_limited: tuple[str, ...] = ()
    # The kinds of organization such a grant is for (a party organization; a volunteer team for a captain).
    org_kinds: tuple[str, ...] = ()

    def allows(self, label: str, action: str) -> bool:
        app = label.split(".", 1)[0]
        for pattern, actions in self.rules:
            if pattern == "*" and label in CONFIDENTIAL:
                continue
            if action in actions and pattern in ("*", f"{app}.*", label):
                return True
        return False

    def limits_to_organization(self, label: str) -> bool:
        app = label.split(".", 1)[0]
        return any(pattern in ("*", f"{app}.*", label) for pattern in self.org_limited)


ROLES: dict[str, Role] = {
    r.code: r
    for r in (
        # The city administrator grants the organization departments' role, so holds its rights too.
        Role("city_admin", _("City administrator"), 70, (("*", ALL), ("cadres.*", ALL))),
        Role("district_officer", _("District officer"), 60, (("*", ALL),)),
        Role(
            "street_officer",
            _("Street officer"),
            50,
            (("*", WRITE | {DELETE}), ("accounts.*", WRITE | {DELETE}), ("core.*", READ)),
        ),
        Role(
            # The organization department of a street, district or city: community workers' files, training,
            # qualifications, and the confidential pay and assessments (issue 15).
            "organization_officer",
            _("Organization department officer"),
            50,
            (
                ("cadres.*", ALL),
                ("people.resident", READ),
                ("orgs.*", READ),
                ("territory.node", READ),
                ("core.job", frozenset({VIEW})),
            ),
        ),
        Role(
            "community_worker",
            _("Community worker"),
            40,
            (
                ("*", READ),
                ("territory.node", WRITE),
                ("people.*", WRITE | {VIEW_PII}),
                ("orgs.*", WRITE),
                ("services.*", WRITE),
                ("volunteers.*", WRITE | {DELETE}),
                ("visits.*", WRITE | {DELETE}),
                # Facilities, inspections, culture; records ledger entries (the street approves them).
                ("positions.*", WRITE | {DELETE}),
                ("accounts.user", READ),
                ("accounts.grant", READ),
            ),
        ),
        Role(
            "party_secretary",
            _("Party secretary"),
            30,
            (
                ("*", READ),
                ("party.*", WRITE | {VIEW_PII}),
                ("orgs.*", WRITE),
                # Enrols cadres and party members in the volunteer teams; a committee member who visits.
                ("volunteers.*", WRITE),
                ("visits.*", WRITE),
            ),
        ),
        Role(
            "branch_secretary",
            _("Party branch secretary"),
            25,
            (
                ("party.*", WRITE | {VIEW_PII}),
                ("orgs.*", READ),
                ("people.*", READ),
                ("territory.node", READ),
                ("core.job", frozenset({VIEW})),
            ),
            # "A branch secretary sees their branch only": granted with the branch (issue 4).
            org_limited=("party.*",),
            org_kinds=PARTY_ORG_KINDS,
        ),
        Role(
            "grid_worker",
            _("Grid worker"),
            20,
            (
                ("territory.node", READ),
                ("people.*", frozenset({VIEW, ADD, CHANGE})),
                ("services.*", frozenset({VIEW, ADD, CHANGE})),
                # Their grid's households: links, must-visit lists, visits, must-arrive tasks.
                ("visits.*", frozenset({VIEW, ADD, CHANGE})),
                ("core.job", frozenset({VIEW})),
            ),
        ),
        Role(
            "team_captain",
            _("Volunteer team captain"),
            15,
            (
                ("volunteers.*", WRITE),
                ("territory.node", READ),
                ("core.job", frozenset({VIEW})),
            ),
            # Granted with the team: its members, activities, sign-ups and hours only (issue 11).
            org_limited=("volunteers.*",),
            org_kinds=("volunteer_team",),
        ),
        Role("auditor", _("Read-only auditor"), 10, (("*", READ),)),
    )
}
ROLE_CHOICES = [(r.code, r.label) for r in ROLES.values()]


@cache
def _model_labels() -> tuple[str, ...]:
    return tuple(sorted(m._meta.label_lower for m in apps.get_models()))


def role_covers(stronger: Role, weaker: Role) -> bool:
    """True when every permission of *weaker* is also one of *stronger*, and it ranks no higher."""
    if weaker.rank > stronger.rank:
        return False
    labels = set(_model_labels())
    # Patterns of apps not yet written still count, so compare them too.
    for _pattern, _actions in weaker.rules:
        if _pattern != "*" and not _pattern.endswith(".*"):
            labels.add(_pattern)
        elif _pattern.endswith(".*"):
            labels.add(_pattern[:-2] + ".__any__")
    return all(stronger.allows(label, action) for label in labels for action in ACTIONS if weaker.allows(label, action))
