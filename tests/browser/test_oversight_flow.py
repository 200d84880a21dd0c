"""End to end, the issue's "done when": households answer a property company's evaluation on the public portal
(one answer each, verified by the household number and the phone's last four digits); the community worker closes
the evaluation; the company is under 50 % and its contract-termination case opens, waiting for the owners'
committee to be notified."""

from __future__ import annotations

import re
from typing import Any

import pytest

from shequ.core.testing import World
from shequ.oversight.models import Answer, Campaign, CampaignStatus, Evaluators, SubjectKind, TerminationCase
from shequ.oversight.tests.helpers import ITEMS, equip, phone_of
from shequ.volunteers.tests.helpers import Tree

from .conftest import PageProblems, artifact_path
from .test_territory_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TERMINATION_URL = re.compile(r"/oversight/terminations/(\d+)/")


def answer(page: Any, base: str, campaign: Campaign, number: str, last4: str, ratings: list[int]) -> None:
    page.goto(f"{base}/oversight/portal/{campaign.pk}/")
    page.fill("input[name=household_number]", number)
    page.fill("input[name=last4]", last4)
    for i, value in enumerate(ratings):
        page.check(f"input[name=item_{i}][value='{value}']")
    with page.expect_navigation():
        page.click("[data-testid=survey-form] button[type=submit]")


def test_a_property_company_under_half_satisfied_gets_its_termination_case(
    live_server: Any, page: Any, page_problems: PageProblems, request: pytest.FixtureRequest
) -> None:
    from playwright.sync_api import expect

    world = World()
    tree = Tree(world)
    side: Any = tree.a
    equip(side, "和平")
    campaign = Campaign.objects.create(
        node=side.estate,
        year=2026,
        subject_kind=SubjectKind.PROPERTY_COMPANY,
        subject=side.company,
        evaluators=Evaluators.HOUSEHOLDS,
        items=ITEMS,
        expected=len(side.households),
    )
    base, shot = live_server.url, request.node.name
    # Three households answer on the portal, mostly dissatisfied.
    page.goto(f"{base}/oversight/portal/")
    expect(page.locator("[data-testid=surveys]")).to_contain_text(side.company.name)
    for i, ratings in enumerate(([3, 3, 3], [3, 2, 3], [1, 3, 3])):
        answer(page, base, campaign, side.households[i].number, phone_of(side, i)[-4:], ratings)
        expect(page.locator("[data-testid=survey-done]")).to_be_visible()
    page.screenshot(path=str(artifact_path(shot, "1-answered")), full_page=True)
    # The first household tries again: refused, nothing doubled.
    answer_again = side.households[0]
    page.goto(f"{base}/oversight/portal/{campaign.pk}/")
    page.fill("input[name=household_number]", answer_again.number)
    page.fill("input[name=last4]", phone_of(side, 0)[-4:])
    for i in range(3):
        page.check(f"input[name=item_{i}][value='1']")
    page.click("[data-testid=survey-form] button[type=submit]")
    expect(page.locator("[data-testid=form-errors]")).to_contain_text("已参加过")
    # The refused form answers 400 on purpose; the browser logs that status, which is no fault of the page.
    page_problems.console_errors = [e for e in page_problems.console_errors if "status of 400" not in e]
    assert Answer.objects.filter(campaign=campaign).count() == 3
    # The community worker closes the evaluation.
    page.context.clear_cookies()
    log_in(page, base, "worker_a", "worker_a-pass-123")
    page.goto(f"{base}{campaign.get_absolute_url()}")
    expect(page.locator("[data-testid=item-results]")).to_contain_text("服务态度")
    with page.expect_navigation():
        page.click("[data-testid=case-steps] [data-step=close]")
    with page.expect_navigation():
        page.click("[data-testid=step-form] button[type=submit]")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    # 2 of 9 ratings satisfied or basically satisfied: the termination case is open.
    link = page.locator("[data-testid=termination-link]")
    expect(link).to_contain_text(side.company.name)
    with page.expect_navigation():
        link.click()
    expect(page).to_have_url(TERMINATION_URL)
    expect(page.locator("[data-testid=case-steps] [data-step=notify]")).to_be_visible()
    page.screenshot(path=str(artifact_path(shot, "2-termination")), full_page=True)
    case = TerminationCase.objects.get()
    assert case.company == side.company and case.node == side.estate and float(case.satisfaction) == 22.2
    assert side.estate in side.company.estates.all()  # nothing terminated silently
    assert not page_problems.all(), page_problems.all()
