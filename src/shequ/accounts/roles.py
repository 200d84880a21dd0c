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
# Models (labels, or "app.*") no "*" rule reaches: only a rule naming the app ("cadres.*") or the model does; their
# audit entries and import/export jobs are hidden alike from whoever may not see them (core.models).  Community
# workers' pay and assessments (issue 15): the organization departments and the worker themself only.  Mediation
# cases (issue 12): the committee's mediators, the community's party secretary and higher officers only.
CONFIDENTIAL = frozenset(
    {
        "mediation.*",
        "cadres.paytable",
        "cadres.payrate",
        "cadres.paygrade",
        "cadres.assessment",
        "cadres.assessmentevent",
        "cadres.sanction",
        "oversight.promotionopinion",
        "oversight.promotionevent",
    }
)
# Confidential models that a rule for their whole app ("oversight.*") does not grant: only a rule naming them
# does (the promotion opinions live in the oversight app, which the community's workers handle).
NAMED_ONLY = frozenset({"oversight.promotionopinion", "oversight.promotionevent"})
WRITE = frozenset({VIEW, ADD, CHANGE, IMPORT, EXPORT})


def is_confidential(label: str) -> bool:
    return label in CONFIDENTIAL or f"{label.split('.', 1)[0]}.*" in CONFIDENTIAL


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
            if pattern == "*" and is_confidential(label):
                continue
            if label in NAMED_ONLY and pattern != label:
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
        Role("city_admin", _("City administrator"), 70, (("*", ALL), ("cadres.*", ALL), ("mediation.*", ALL))),
        Role("district_officer", _("District officer"), 60, (("*", ALL), ("mediation.*", ALL))),
        Role(
            "street_officer",
            _("Street officer"),
            50,
            (
                ("*", WRITE | {DELETE}),
                ("mediation.*", WRITE | {DELETE}),
                ("accounts.*", WRITE | {DELETE}),
                ("core.*", READ),
            ),
        ),
        Role(
            # The organization department of a street, district or city: community workers' files, training,
            # qualifications, and the confidential pay and assessments (issue 15).
            "organization_officer",
            _("Organization department officer"),
            50,
            (
                ("cadres.*", ALL),
                # The opinions on promoting civil servants living in the communities (confidential, issue 13).
                ("oversight.promotionopinion", READ),
                ("oversight.promotionevent", READ),
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
                # Decisions, disclosures and duties, meeting rules, the matters the community carries (issue 14).
                ("governance.*", WRITE | {DELETE}),
                # Oversight and co-construction (issue 13): evaluations, agreements, hearings, cases.
                ("oversight.*", WRITE),
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
                # The party organization proposes and the party members' meeting reviews (issue 14).
                ("governance.*", WRITE),
                # Sees and takes the community's mediation cases (issue 12).
                ("mediation.*", WRITE),
                # The community party organization approves entries, gives consent, leads co-construction.
                ("oversight.*", WRITE),
                # … and answers the employers on promoting civil servants living here (confidential).
                ("oversight.promotionopinion", WRITE),
                ("oversight.promotionevent", READ),
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
        Role(
            "mediator",
            _("People's mediator"),
            18,
            (
                ("mediation.*", WRITE),
                ("territory.node", READ),
                ("people.resident", frozenset({VIEW})),
                ("services.servicerequest", frozenset({VIEW})),
                ("orgs.organization", frozenset({VIEW})),
                ("core.job", frozenset({VIEW})),
            ),
            # Granted with the mediation committee (or workstation): its cases and mediators only (issue 12).
            org_limited=("mediation.*",),
            org_kinds=("mediation_committee", "mediation_station"),
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
