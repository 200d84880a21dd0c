"""Oversight test data on the volunteers' tree: per community a property company serving the estate (whose
households' heads have phones), an owners' committee and two resident units; cases made directly."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from shequ.core.exceptions import ActionError
from shequ.core.testing import WorldTestCase
from shequ.orgs.models import OrgKind
from shequ.oversight import actions
from shequ.oversight.models import (
    Campaign,
    CampaignStatus,
    ConsentDocument,
    ConsentKind,
    ConsentRequest,
    ConsentStatus,
    EntryApplication,
    Evaluators,
    SubjectKind,
    TerminationCase,
    TerminationStatus,
)
from shequ.volunteers.tests.helpers import Side, Tree, org

ITEMS = "服务态度\n环境卫生\n安全秩序"


def pdf_upload(name: str = "拆迁许可证.pdf", body: bytes = b"%PDF-1.4 permit 2026-01 " + b"x" * 64) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, body, content_type="application/pdf")


def phone_of(side: Side, i: int) -> str:
    return f"1380000{side.community.pk % 10}{i:03d}"


def equip(side: Any, label: str) -> None:
    side.company = org(side.community, OrgKind.PROPERTY_COMPANY, f"{label}物业公司")  # type: ignore[attr-defined]
    side.company.estates.add(side.estate)  # type: ignore[attr-defined]
    side.new_company = org(side.community, OrgKind.PROPERTY_COMPANY, f"{label}新物业")  # type: ignore[attr-defined]
    side.owners = org(side.estate, OrgKind.OWNERS_COMMITTEE, f"{label}业委会")  # type: ignore[attr-defined]
    side.units = [org(side.community, OrgKind.RESIDENT_UNIT, f"{label}驻区单位{i}") for i in (1, 2)]  # type: ignore[attr-defined]
    for i, household in enumerate(side.households):
        household.head.phone = phone_of(side, i)
        household.head.save()


class OversightCase(WorldTestCase):
    tree: ClassVar[Tree]
    # The two sides, equipped with their companies, owners' committee and units.
    a: ClassVar[Any]
    b: ClassVar[Any]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = Tree(cls.world)
        equip(cls.tree.a, "和平")
        equip(cls.tree.b, "胜利")
        cls.a, cls.b = cls.tree.a, cls.tree.b

    def side(self, node: Any) -> Any:  # the equipped side of *node*
        return self.tree.side(node)

    def refused(self, code: str, call: Any) -> ActionError:
        with self.assertRaises(ActionError) as caught:
            call()
        self.assertEqual(caught.exception.code, code, caught.exception.messages)
        return caught.exception

    # -- cases made directly -------------------------------------------------------------------------------------
    def campaign(self, where: Any, **fields: Any) -> Campaign:
        side = self.side(where)
        values = {
            "node": side.estate,
            "year": 2026,
            "subject_kind": SubjectKind.PROPERTY_COMPANY,
            "subject": side.company,
            "evaluators": Evaluators.HOUSEHOLDS,
            "items": ITEMS,
            "expected": len(side.households),
            "status": CampaignStatus.OPEN,
            **fields,
        }
        return Campaign.objects.create(**values)

    def entry(self, node: Any, **fields: Any) -> EntryApplication:
        side = self.side(node)
        values = {
            "node": side.estate,
            "company": side.new_company,
            "contract_start": date(2026, 1, 1),
            "contract_end": date(2028, 12, 31),
            "scope": "保洁、秩序维护、设施维修",
            **fields,
        }
        return EntryApplication.objects.create(**values)

    def termination(self, node: Any, status: str = TerminationStatus.OPENED) -> TerminationCase:
        side = self.side(node)
        campaign = self.campaign(node, status=CampaignStatus.CLOSED)
        return TerminationCase.objects.create(
            node=side.estate,
            company=side.company,
            campaign=campaign,
            satisfaction=40,
            status=status,
            is_open=status in actions.TERMINATION.open_states,
        )

    def consent(self, node: Any, status: str = ConsentStatus.REQUESTED, documents: str = "规划许可证 2026-01") -> Any:
        side = self.side(node)
        case = ConsentRequest.objects.create(
            node=side.community,
            kind=ConsentKind.ROAD,
            title="和平路改造",
            applicant="区住建局",
            description="拓宽道路",
            documents=documents,
            status=status,
            is_open=status in actions.CONSENT.open_states,
        )
        if documents:  # a document on file, as if uploaded (the upload itself is tested through the page)
            ConsentDocument.objects.create(
                case=case, name="许可证.pdf", content_type="application/pdf", size=10, sha256="0" * 64, stored="x"
            )
        return case

    def answer_all(self, campaign: Campaign, ratings: list[list[int]]) -> None:
        side = self.side(campaign.node)
        for household, values in zip(side.households, ratings, strict=False):
            actions.do_answer(campaign, acting_user=self.world.admin, ratings=values, household=household)
