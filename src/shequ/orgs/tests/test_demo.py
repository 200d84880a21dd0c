"""The demo city's organizations and posts: complete, valid, and telling a story on the metrics page."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.test import TestCase
from django.utils import timezone

from shequ.orgs.demo import seed_organizations
from shequ.orgs.metrics import compute
from shequ.orgs.models import Organization, OrgKind, Post
from shequ.territory.demo import Scale, build_demo_territory
from shequ.territory.models import Kind, Node

from .helpers import org, resident

SCALE = Scale(1, 1, 6, 2, 1, 2, 0)  # one street of six communities, two residential areas each


class DemoTests(TestCase):
    def test_every_kind_valid_data_and_the_targets_tell_a_story(self) -> None:
        city = build_demo_territory(SCALE, seed=5)
        first = Node.objects.filter(kind=Kind.COMMUNITY).order_by("path").first()
        assert first is not None
        residents = [resident(first, name) for name in ("甲一", "乙二", "丙三", "丁四", "戊五", "己六")]
        summary = seed_organizations(city, "custom", 5)
        self.assertEqual(summary, {"organizations": Organization.objects.count(), "posts": Post.objects.count()})
        for organization in Organization.objects.select_related("node", "parent"):
            organization.full_clean()
        for post in Post.objects.select_related("organization", "person"):
            post.full_clean()
            self.assertEqual(post.path, post.organization.path)
        kinds = set(Organization.objects.values_list("kind", flat=True))
        for kind in (
            OrgKind.STREET_COMMITTEE,
            OrgKind.COMMUNITY_COMMITTEE,
            OrgKind.GENERAL_BRANCH,
            OrgKind.BRANCH,
            OrgKind.PARTY_GROUP,
            OrgKind.RESIDENTS_COMMITTEE,
            OrgKind.SERVICE_STATION,
            OrgKind.OWNERS_COMMITTEE,
            OrgKind.VOLUNTEER_TEAM,
            OrgKind.PROPERTY_COMPANY,
            OrgKind.RESIDENT_UNIT,
            OrgKind.ALLIANCE,
            OrgKind.NONPUBLIC_ENTERPRISE,
            OrgKind.NEW_SOCIAL_ORG,
        ):
            self.assertIn(kind, kinds)
        # One owners' committee and volunteer team per residential area, every area served by a company.
        estates = Node.objects.filter(kind=Kind.ESTATE).count()
        self.assertEqual(Organization.objects.filter(kind=OrgKind.OWNERS_COMMITTEE).count(), estates)
        self.assertEqual(Organization.objects.filter(kind=OrgKind.VOLUNTEER_TEAM).count(), estates)
        self.assertEqual(Node.objects.filter(kind=Kind.ESTATE, property_companies__isnull=False).count(), estates)
        soon = timezone.localdate() + timedelta(days=90)
        self.assertTrue(Organization.objects.filter(kind=OrgKind.PROPERTY_COMPANY, contract_end__lte=soon).exists())
        self.assertFalse(
            Organization.objects.filter(kind=OrgKind.ALLIANCE).annotate(n=Count("members")).filter(n=0).exists()
        )
        # The community's residents hold its posts first.
        self.assertEqual(
            set(Post.objects.filter(person__in=residents).values_list("person", flat=True)), {r.pk for r in residents}
        )
        report = compute(city)
        self.assertEqual(report.total.communities, 6)
        self.assertTrue(all(c.committee_members == 5 for c in report.communities))
        self.assertGreater(report.total.passing, report.total.communities / 2)
        self.assertLess(report.total.passing, report.total.communities)
        self.assertTrue(0 < report.total.one_shoulder < report.total.communities)
        self.assertGreater(report.total.two_new, 0)
        # Ids were given up front: an ordinary creation afterwards still gets a fresh one.
        created = org(first, OrgKind.RESIDENT_UNIT, "演示后新增单位")
        self.assertGreater(created.pk, max(Organization.objects.exclude(pk=created.pk).values_list("pk", flat=True)))
