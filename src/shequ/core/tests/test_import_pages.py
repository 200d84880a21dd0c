"""Every import page says what each column holds, and every import template's sample row imports cleanly
(issue 10, 13)."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

from django.urls import reverse

from shequ.core.models import Job
from shequ.core.registry import VIEWSETS
from shequ.core.testing import WorldTestCase, _file, streamed, xlsx_rows
from shequ.party.tests.helpers import PartyTree
from shequ.territory.actions import do_create_node
from shequ.territory.models import Kind


def importing_viewsets() -> list[Any]:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (the view sets register themselves with the URLs)
    return [vs for vs in VIEWSETS.values() if vs.importer is not None and "import" in vs.actions]


class ImportTemplateTests(WorldTestCase):
    district_officer: Any

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w, admin = cls.world, cls.world.admin
        estate = do_create_node(acting_user=admin, parent=w.grid_a, kind=Kind.ESTATE, name="阳光小区")
        building = do_create_node(acting_user=admin, parent=estate, kind=Kind.BUILDING, name="1号楼")
        unit = do_create_node(acting_user=admin, parent=building, kind=Kind.UNIT, name="1单元")
        PartyTree(w)
        cls.people_of_the_apps(unit)

    @classmethod
    def people_of_the_apps(cls, unit: Any) -> None:
        """What the other importers' samples name: a volunteer in a team, a committee member, a household."""
        from shequ.orgs.models import OrgKind, Title
        from shequ.orgs.tests.helpers import org, post
        from shequ.people.tests.helpers import household, resident
        from shequ.volunteers.actions import registry

        w, admin = cls.world, cls.world.admin
        team = org(w.community_a, OrgKind.VOLUNTEER_TEAM, "和平社区第一志愿服务队")
        helper = resident(w, unit, name="李志愿")
        volunteer = registry.do_register_volunteer(acting_user=admin, resident=helper, consent_on=date(2024, 3, 1))
        registry.do_add_member(acting_user=admin, volunteer=volunteer, team=team, started_on=date(2024, 3, 1))
        for name in ("赵新人", "钱新人"):  # one joins the team per user importing the sample
            newcomer = resident(w, unit, name=name)
            registry.do_register_volunteer(acting_user=admin, resident=newcomer, consent_on=date(2024, 3, 1))
        committee = org(w.community_a, OrgKind.RESIDENTS_COMMITTEE, "和平社区居委会")
        post(committee, Title.MEMBER, resident(w, unit, name="王委员"))
        household(w, unit, number="000000123")
        household(w, unit, number="000000124")
        # A community worker (the training sheet names them); the street officer also serves in the street's
        # organization department, who alone imports pay tables (confidential).
        from shequ.accounts.models import Grant
        from shequ.cadres.models import Cadre

        Cadre.objects.create(node=w.community_a, number="SG0001", name="孙社工", source="recruited")
        Grant.objects.create(user=w.officer_a, role="organization_officer", node=w.street_a)
        # A resident unit's co-construction agreement (the commitments' sheet names it).
        from shequ.oversight.models import Agreement

        unit_org = org(w.community_a, OrgKind.RESIDENT_UNIT, "和平社区驻区单位")
        Agreement.objects.create(node=w.community_a, unit=unit_org, year=2026, signed_on=date(2026, 1, 5))
        # The district's draft work access list (the access list's sheet goes into it), kept by a district officer.
        from shequ.governance.actions import do_new_access_list

        cls.district_officer = w.user("district_x", "district_officer", w.district)
        do_new_access_list(acting_user=admin, node=w.district, reference="东区准入清单（修订）")

    def test_there_are_importers(self) -> None:
        labels = {vs.model._meta.label_lower for vs in importing_viewsets()}
        self.assertLessEqual(
            {"people.resident", "people.household", "orgs.organization", "orgs.post", "party.partymember"}, labels
        )

    def import_template(self, viewset: Any, user: Any) -> tuple[list[Any], Job]:
        """Download the template as *user*, upload it as it is (a preview, then applied)."""
        self.login(user)
        response = self.client.get(reverse(viewset.url_name("import_template")))
        self.assertEqual(response.status_code, 200)
        content = streamed(response)
        rows = xlsx_rows(content)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse(viewset.url_name("import")), {"file": _file(content, "template.xlsx")})
        self.assertEqual(response.status_code, 302)
        preview = Job.objects.latest("pk")
        return rows, preview

    def test_every_template_sample_imports_cleanly(self) -> None:
        for viewset in importing_viewsets():
            label = viewset.model._meta.label_lower
            # The work access list is the district's: a street officer reaches none (told so by the importer).
            first = self.district_officer if label == "governance.accessitem" else self.world.officer_a
            for user in (first, self.world.admin):
                with self.subTest(importer=label, user=user.username):
                    rows, preview = self.import_template(viewset, user)
                    self.assertEqual(len(rows), 2, rows)  # the header and one sample row
                    self.assertEqual(preview.status, Job.Status.DONE, preview.message)
                    result = preview.result
                    self.assertEqual((result["rejected"], result["total"]), (0, 1), (label, rows[1], result["errors"]))
                    self.assertEqual(result["unknown_headers"], [])
                    # Applied for real, too (the preview does not run every check of the writes).
                    with self.captureOnCommitCallbacks(execute=True):
                        self.client.post(reverse("core:job_apply", args=[preview.pk]), {"mode": "all"})
                    applied = Job.objects.latest("pk")
                    self.assertEqual(applied.status, Job.Status.DONE, applied.message)
                    self.assertEqual(applied.result["rejected"], 0, (label, rows[1], applied.result["errors"]))
                    self.assertTrue(applied.result["applied"])

    def test_the_sample_is_in_the_users_own_area(self) -> None:
        from shequ.people.models import Resident

        viewset = next(vs for vs in importing_viewsets() if vs.model is Resident)
        rows, _preview = self.import_template(viewset, self.world.officer_a)
        sample = dict(zip([str(h).rstrip("*") for h in rows[0]], rows[1], strict=True))
        self.assertEqual((sample["地区编码"], sample["地址"]), ("990101001001", "第1网格/阳光小区/1号楼/1单元"))
        self.assertEqual(sample["姓名"], "张伟")
        self.assertRegex(str(sample["身份证号"]), r"^42010219850302\d{3}[\dX]$")
        # The same file imported for real: the next template names someone else, so it still imports.
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("core:job_apply", args=[Job.objects.latest("pk").pk]), {"mode": "all"})
        self.assertEqual(Resident.objects.filter(name="张伟").count(), 1)
        again, _preview = self.import_template(viewset, self.world.officer_a)
        self.assertNotEqual(again[1][1], rows[1][1])
        # Without the right to import, no template (it would name places of the area).
        self.login(self.world.auditor_a)
        self.assertEqual(self.client.get(reverse(viewset.url_name("import_template"))).status_code, 404)

    def test_every_import_page_describes_every_column(self) -> None:
        self.login(self.world.officer_a)
        for viewset in importing_viewsets():
            with self.subTest(importer=viewset.model._meta.label_lower):
                page = self.client.get(reverse(viewset.url_name("import"))).content.decode()
                table = page[page.index('data-testid="columns"') :]
                rows = re.findall(r'<tr data-column="([^"]+)">(.*?)</tr>', table, re.S)
                self.assertEqual([h for h, _cells in rows], [c.header for c in viewset.importer.columns])
                for (header, cells), column in zip(rows, viewset.importer.columns, strict=True):
                    cells_html = re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
                    texts = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells_html]
                    _name, required, meaning, accepts, _example, _synonyms = texts
                    self.assertEqual(required, "必填" if column.required else "选填", header)
                    self.assertTrue(meaning, f"{header}: no meaning")
                    self.assertRegex(meaning, r"[\u4e00-\u9fff]", f"{header}: not in Chinese")
                    if getattr(column.parse, "accepts", None):
                        self.assertRegex(accepts, r"[\u4e00-\u9fff]", f"{header}: formats not in Chinese")
                    # No internal code word on the Chinese page (the synonyms an English sheet may use).
                    self.assertNotRegex(texts[5], r"[a-z]+_[a-z]+")

    def test_the_columns_in_english(self) -> None:
        self.login(self.world.officer_a)
        self.client.post(reverse("set_language"), {"language": "en"})
        page = self.client.get(reverse("people:resident_import")).content.decode()
        self.assertIn("The identity number: it keys the record", page)
        self.assertIn("18 characters with a correct check digit", page)
        self.assertIn("One of: 男、女.", page)
