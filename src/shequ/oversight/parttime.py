"""Part-time committee members from resident units (兼职委员, 000 §8), kept on the posts of ``orgs``: a person
who holds a post in a resident unit and a part-time member's post (from / to) in a community party
organization.  No record of its own: the posts are entered and ended on the organizations' pages and API, and
listed here, on the co-construction agreements and on the unit's page."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shequ.core.permissions import requires

LIMIT = 500


def part_time_members(user: Any, units: Any = None) -> list[Any]:
    """The part-time members' posts in community party organizations the user may see whose holder holds a post
    in a resident unit (of *units*, if given); each with ``units``: the holder's resident units."""
    from shequ.orgs.models import COMMUNITY_PARTY_KINDS, Post, Title

    unit_posts = Post.objects.filter(organization__kind="resident_unit", organization__active=True)
    if units is not None:
        unit_posts = unit_posts.filter(organization__in=units)
    holders = unit_posts.values_list("person_id", "person_name", "organization_id", "organization__name")
    by_person: dict[int, dict[int, str]] = defaultdict(dict)
    by_name: dict[str, dict[int, str]] = defaultdict(dict)
    for person_id, name, org_id, org_name in holders[:5000]:
        if person_id:
            by_person[person_id][org_id] = org_name
        elif name:
            by_name[name][org_id] = org_name
    if not by_person and not by_name:
        return []
    posts = list(
        Post.objects.restrict(user, "view")
        .filter(title=Title.PART_TIME_MEMBER, organization__kind__in=COMMUNITY_PARTY_KINDS)
        .filter(Q(person_id__in=list(by_person)) | Q(person__isnull=True, person_name__in=list(by_name)))
        .select_related("organization", "person")
        .order_by("path", "-start_date", "id")[:LIMIT]
    )
    for post in posts:
        found = by_person.get(post.person_id) if post.person_id else by_name.get(post.person_name)
        setattr(post, "units", sorted((found or {}).values()))  # noqa: B010
    return posts


@requires("orgs.post")
def part_time_members_page(request: HttpRequest) -> HttpResponse:
    """The part-time committee members from resident units in the user's area, with their terms."""
    return render(request, "oversight/part_time_members.html", {"posts": part_time_members(request.user)})
