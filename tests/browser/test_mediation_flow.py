"""End to end (issue 12, "done when"): a mediator turns a family-dispute request into a mediation case in one click,
accepts it, records two sessions, records the agreement, prints it (and downloads it as PDF), and follows it up;
the request follows the case to resolved."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from shequ.core.testing import World
from shequ.mediation.models import CaseStatus, MediationCase
from shequ.mediation.tests.helpers import MedWorld
from shequ.services import actions as requests
from shequ.services.models import ServiceCategory, ServiceRequest, Status

from .conftest import PageProblems, artifact_path
from .test_territory_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CASE_URL = re.compile(r"/mediation/cases/(\d+)/$")


def _step(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.click(f"a[data-step={name}]")


def _submit(page: Any) -> None:
    with page.expect_navigation():
        page.click("[data-testid=step-form] button[type=submit]")


def _session(page: Any, mediator_pk: int, place: str, minutes: str) -> None:
    _step(page, "session")
    page.fill("input[name=held_at]", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=place]", place)
    page.select_option("select[name=mediators]", [str(mediator_pk)])
    page.fill("input[name=attendees]", "王大妈、王大妈之子")
    page.fill("textarea[name=minutes]", minutes)
    _submit(page)


def test_a_family_dispute_request_becomes_a_case_and_an_agreement(
    live_server: Any, browser_context: Any, page_problems: PageProblems, request: pytest.FixtureRequest
) -> None:
    from playwright.sync_api import expect

    world = World()
    med = MedWorld(world)
    a = med.a
    filed = requests.do_file_request(
        acting_user=world.admin,
        category=ServiceCategory.objects.select_related("parent", "tier").get(code="family-dispute"),
        node=a.community,
        description="老人与儿子儿媳因住房和赡养问题多次争吵",
        resident=a.people[0],
        accept=True,
    )
    base = live_server.url
    shot = request.node.name
    page = browser_context.new_page()
    try:
        log_in(page, base, "med_甲", "med_甲-pass-123")
        # One click from the request: the dispute goes to the committee, the resident as the applicant.
        page.goto(f"{base}{filed.get_absolute_url()}")
        _step(page, "mediate")
        page.select_option("select[name=committee]", str(a.committee.pk))
        page.select_option("select[name=risk]", "medium")
        page.fill("input[name=respondent_name]", "王某某")
        page.fill("input[name=respondent_phone]", "13900001111")
        page.screenshot(path=str(artifact_path(shot, "1-from-request")), full_page=True)
        _submit(page)
        expect(page).to_have_url(CASE_URL)
        case = MediationCase.objects.get(request=filed)
        expect(page.locator("[data-testid=parties]")).to_contain_text(a.people[0].name)
        expect(page.locator("[data-testid=parties]")).to_contain_text("王某某")
        # Accepted, two sessions, then the agreement.
        _step(page, "accept")
        page.select_option("select[name=mediators]", [str(m.pk) for m in a.mediators])
        _submit(page)
        _session(page, a.mediators[0].pk, "社区调解室", "双方陈述，调解员释法说理。")
        _session(page, a.mediators[1].pk, "老人家中", "儿子同意承担赡养费，双方基本达成一致。")
        expect(page.locator("[data-testid=sessions] .list-group-item")).to_have_count(2)
        _step(page, "agree")
        page.fill("textarea[name=facts]", "老人与儿子儿媳因住房和赡养问题发生纠纷。")
        page.fill("textarea[name=terms]", "一、儿子每月支付赡养费800元；二、老人继续居住原房屋。")
        page.fill("input[name=performance]", "自本协议签订之日起按月履行。")
        _submit(page)
        expect(page.locator("[data-testid=agreement]")).to_be_visible()
        page.screenshot(path=str(artifact_path(shot, "2-agreed")), full_page=True)
        # The agreement, printed and as PDF.
        with page.expect_navigation():
            page.click("[data-testid=print-agreement]")
        expect(page.locator("h1")).to_have_text("人民调解协议书")
        expect(page.locator("body")).to_contain_text("儿子每月支付赡养费800元")
        expect(page.locator("body")).to_contain_text(case.code)
        page.screenshot(path=str(artifact_path(shot, "3-printed")), full_page=True)
        pdf = page.request.get(f"{base}/mediation/cases/{case.pk}/agreement.pdf")
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
        # The request followed the case.
        filed = ServiceRequest.objects.get(pk=filed.pk)
        assert filed.status == Status.RESOLVED
        # The follow-up of the agreement.
        page.goto(f"{base}{case.get_absolute_url()}")
        _step(page, "follow_up")
        page.select_option("select[name=honoured]", "yes")
        page.fill("textarea[name=note]", "回访：赡养费已按月支付。")
        _submit(page)
        assert MediationCase.objects.get(pk=case.pk).status == CaseStatus.FOLLOWED_UP
        expect(page.locator("[data-testid=timeline]")).to_contain_text("回访")
        page.screenshot(path=str(artifact_path(shot, "4-followed-up")), full_page=True)
    finally:
        page.close()
    assert not page_problems.all(), page_problems.all()


def test_a_case_from_a_visit_then_a_duplicate_merged_into_it(
    live_server: Any, browser_context: Any, page_problems: PageProblems, request: pytest.FixtureRequest
) -> None:
    """The secretary registers a case from a home visit (pre-filled), then the same dispute again: refused,
    the open case offered, "merge into it" adds the second registration to the first."""
    from playwright.sync_api import expect

    from shequ.people.models import Household
    from shequ.visits.actions import do_log_visit

    world = World()
    a = MedWorld(world).a
    household = Household.objects.create(node=a.community, address="5-502", number="H0502")
    for resident in a.people[:2]:
        resident.household = household
        resident.save(update_fields=["household"])
    visit = do_log_visit(acting_user=world.admin, household=household, findings="母子因赡养问题争吵")
    base = live_server.url
    shot = request.node.name
    page = browser_context.new_page()

    def register_from_visit(summary: str) -> None:
        page.goto(f"{base}{visit.get_absolute_url()}")
        with page.expect_navigation():
            page.click("[data-testid=register-mediation]")
        expect(page.locator("textarea[name=summary]")).to_have_value("母子因赡养问题争吵")
        page.select_option("select[name=committee]", str(a.committee.pk))
        page.select_option("select[name=category]", "family")
        page.fill("textarea[name=summary]", summary)
        with page.expect_navigation():
            page.click(".card-footer button[type=submit]")

    try:
        log_in(page, base, "sec_甲", "sec_甲-pass-123")
        register_from_visit("母子因赡养问题争吵")
        expect(page).to_have_url(CASE_URL)
        case = MediationCase.objects.get(visit=visit)
        expect(page.locator("[data-testid=parties]")).to_contain_text(a.people[1].name)
        # The visit now leads to its case.
        page.goto(f"{base}{visit.get_absolute_url()}")
        expect(page.locator("[data-testid=mediation-case]")).to_contain_text(case.code)
        # The same dispute again: refused, the open case offered for merging.
        register_from_visit("儿子再次反映母亲不让其进门")
        expect(page.locator("[data-testid=duplicate-link]")).to_contain_text(case.code)
        page.screenshot(path=str(artifact_path(shot, "1-duplicate")), full_page=True)
        with page.expect_navigation():
            page.click("[data-testid=merge]")
        expect(page).to_have_url(re.compile(rf"/mediation/cases/{case.pk}/$"))
        expect(page.locator("[data-testid=timeline]")).to_contain_text("儿子再次反映母亲不让其进门")
        assert MediationCase.objects.count() == 1
        page.screenshot(path=str(artifact_path(shot, "2-merged")), full_page=True)
    finally:
        page.close()
    assert not page_problems.all(), page_problems.all()
