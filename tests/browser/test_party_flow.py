"""End to end in a real browser: a party member's relation transferred between two streets' branches
(requested and approved by the sending street, accepted by the receiving one), then the statistics page
with its charts drawn."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation

from shequ.core.testing import World
from shequ.party.actions.transfers import _one_open_message
from shequ.party.models import Category, PartyMember, RelationTransfer, TransferStatus
from shequ.party.tests.helpers import PartyTree, member

from .conftest import PageProblems, artifact_path
from .test_territory_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRANSFER_URL = re.compile(r"/party/transfers/(\d+)/$")


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def submit(page: Any) -> None:
    with page.expect_navigation():
        page.click("form.card .card-footer button.btn-primary[type=submit]")


def log_out(page: Any, base: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")


def test_transfer_between_streets_and_statistics(
    live_server: Any, page: Any, page_problems: PageProblems, request: pytest.FixtureRequest
) -> None:
    from playwright.sync_api import expect

    world = World()
    tree = PartyTree(world)
    mover = member(world, tree.branch_a, name="调动甲")
    base = live_server.url
    shot = request.node.name

    # The sending street's officer opens the member's archive and asks for the transfer.
    log_in(page, base, "officer_a", "officer_a-pass-123")
    page.goto(f"{base}{mover.get_absolute_url()}")
    expect(page.locator(".page-title")).to_contain_text("调动甲")
    with page.expect_navigation():
        page.get_by_role("link", name=zh("Request a relation transfer")).click()
    # Only the fields of the kind chosen are shown: within the platform, no letter and no outside name.
    expect(page.locator("input[name=outside_org]")).to_be_hidden()
    expect(page.locator("input[name=letter_number]")).to_be_hidden()
    page.select_option("select[name=kind]", "outgoing")
    expect(page.locator("input[name=to_org__q]")).to_be_hidden()
    expect(page.locator("input[name=outside_org]")).to_be_visible()
    page.fill("input[name=outside_org]", "不会寄出的名称")  # then the kind changes back: not sent
    page.select_option("select[name=kind]", "internal")
    expect(page.locator("input[name=outside_org]")).to_be_hidden()
    # The destination is chosen by name in the picker: another street's branch (any organization on the
    # platform may receive a member).
    page.fill("input[name=to_org__q]", tree.branch_b.name[:4])
    choice = page.locator(f"[data-pick-id='{tree.branch_b.pk}']")
    expect(choice).to_be_visible()
    choice.click()
    expect(page.locator("input[type=hidden][name=to_org]")).to_have_value(str(tree.branch_b.pk))
    page.fill("input[name=reason]", "工作调动")
    page.screenshot(path=str(artifact_path(shot, "1-request")), full_page=True)
    submit(page)
    expect(page).to_have_url(TRANSFER_URL)
    transfer = RelationTransfer.objects.get(member=mover)
    assert transfer.status == TransferStatus.REQUESTED
    assert transfer.outside_org == ""  # the hidden field was not sent

    # A second transfer of the same member is refused with a clear message, and nothing changes.
    page.goto(f"{base}{mover.get_absolute_url()}transfer/")
    page.select_option("select[name=kind]", "outgoing")
    page.fill("input[name=outside_org]", "外省某党支部")
    submit_button = page.locator("form.card .card-footer button.btn-primary[type=submit]")
    submit_button.click()
    refused = page.locator(".alert-danger, [data-testid=form-errors]")
    expect(refused).to_be_visible()
    with translation.override("zh-hans"):
        expect(refused).to_contain_text(str(_one_open_message()))
    assert RelationTransfer.objects.filter(member=mover).count() == 1

    # Approved by the sending side.
    page.goto(f"{base}/party/transfers/{transfer.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name=zh("Approve"), exact=True).click()
    submit(page)
    expect(page).to_have_url(TRANSFER_URL)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.APPROVED

    # The receiving street's officer finds it in the list and accepts it.
    log_out(page, base)
    log_in(page, base, "officer_b", "officer_b-pass-123")
    page.goto(f"{base}/party/transfers/")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("调动甲")).first.click()
    page.screenshot(path=str(artifact_path(shot, "2-incoming")), full_page=True)
    with page.expect_navigation():
        page.get_by_role("link", name=zh("Accept"), exact=True).click()
    submit(page)
    transfer.refresh_from_db()
    mover.refresh_from_db()
    assert transfer.status == TransferStatus.COMPLETED
    assert mover.organization_id == tree.branch_b.pk

    # Now the member is street B's: on the receiving officer's screen, and gone from street A's list.
    page.goto(f"{base}{mover.get_absolute_url()}")
    expect(page.locator("body")).to_contain_text(tree.branch_b.name)
    log_out(page, base)
    log_in(page, base, "officer_a", "officer_a-pass-123")
    page.goto(f"{base}/party/members/")
    expect(page.locator("body")).not_to_contain_text("调动甲")
    assert page.goto(f"{base}{mover.get_absolute_url()}").status == 404

    # The member list's several-choice filter: a drop-down of check boxes; a tick filters the list at once.
    member(world, tree.branch_a, name="退休甲", category="retired")
    member(world, tree.branch_a, name="在职乙")
    page.goto(f"{base}/party/members/")
    checklist = page.get_by_test_id("checklist-category")
    expect(checklist.locator("summary")).to_have_text(zh("Any"))
    checklist.locator("summary").click()
    with page.expect_response(lambda r: "/party/members/" in r.url):
        checklist.locator("input[value=retired]").check()
    results = page.locator("#results")
    expect(results).to_have_count(1)  # the list is replaced, not nested inside the old one
    expect(results).to_contain_text("退休甲")
    expect(results).not_to_contain_text("在职乙")
    with translation.override("zh-hans"):
        retired = str(Category.RETIRED.label)
    expect(checklist.locator("summary")).to_have_text(retired)
    expect(page).to_have_url(re.compile(r"category=retired"))  # the address keeps the filter
    page.locator("h2.page-title").click()  # a click elsewhere closes it
    expect(checklist.locator("input[value=retired]")).to_be_hidden()

    # The statistics of street A: every chart drawn by ECharts (a canvas each), no error in the page.
    page.goto(f"{base}/party/statistics/")
    page.wait_for_load_state("networkidle")
    charts = page.locator(".party-chart")
    assert charts.count() == 5
    expect(page.locator(".party-chart canvas")).to_have_count(5)
    page.screenshot(path=str(artifact_path(shot, "3-statistics")), full_page=True)
    assert not PartyMember.objects.filter(organization=tree.branch_a, name="调动甲").exists()

    # The refused second transfer (400) and the member gone from street A (404) were asked for.
    provoked = (
        f"status of 400 (Bad Request) ({base}/party/members/{mover.pk}/transfer/)",
        f"status of 404 (Not Found) ({base}/party/members/{mover.pk}/)",
    )
    problems = [p for p in page_problems.all() if not p.endswith(provoked)]
    assert problems == [], "problems in the browser:\n" + "\n".join(problems)
