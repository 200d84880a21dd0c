"""End to end: a street officer approves a community's ledger entry, publishes the quarterly statement, and a
resident without an account reads it on the portal — totals by category, the account number masked."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from shequ.core.testing import World
from shequ.positions import actions
from shequ.positions.models import EntryKind, EntryStatus, LedgerEntry, Statement

from .conftest import PageProblems, artifact_path
from .test_territory_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_quarterly_statement_reaches_the_portal(
    live_server: Any, page: Any, page_problems: PageProblems, request: pytest.FixtureRequest
) -> None:
    from playwright.sync_api import expect

    world = World()
    account = actions.do_open_account(
        acting_user=world.admin, node=world.community_a, bank="示范农商银行", number="6222020200012345678"
    )
    today = timezone.localdate()
    allocation = actions.do_record_entry(
        acting_user=world.admin,
        account=account,
        book="work",
        kind=EntryKind.ALLOCATION,
        category="city",
        amount=Decimal("50000"),
        occurred_on=today,
        voucher="记-001",
    )
    actions.do_approve_entry(allocation, acting_user=world.admin)
    spending = actions.do_record_entry(
        acting_user=world.admin,
        account=account,
        book="work",
        kind=EntryKind.SPENDING,
        category="activities",
        amount=Decimal("3200.50"),
        occurred_on=today,
        voucher="记-002",
    )
    base = live_server.url
    shot = request.node.name
    log_in(page, base, "officer_a", "officer_a-pass-123")
    # The street approves the pending spending from the entry's page.
    page.goto(f"{base}{spending.get_absolute_url()}")
    with page.expect_navigation():
        page.click("[data-step=approve]")
    with page.expect_navigation():
        page.click("form button[type=submit].btn-primary")
    assert LedgerEntry.objects.get(pk=spending.pk).status == EntryStatus.APPROVED
    # Publishing the quarter's statement.
    quarter = (today.month - 1) // 3 + 1
    page.goto(f"{base}/positions/statements/add/?node={world.community_a.pk}&year={today.year}&quarter={quarter}")
    page.screenshot(path=str(artifact_path(shot, "1-publish")), full_page=True)
    with page.expect_navigation():
        page.click("form.card button[type=submit]")
    statement = Statement.objects.get(node=world.community_a, year=today.year, quarter=quarter)
    # A resident, not logged in, finds it on the portal.
    page.context.clear_cookies()
    page.goto(f"{base}/positions/portal/")
    with page.expect_navigation():
        page.get_by_role("link", name=world.community_a.name).click()
    expect(page).to_have_url(f"{base}{statement.get_public_url()}")
    expect(page.locator("[data-testid=statement-account]")).to_contain_text("**** 5678")
    books = page.locator("[data-testid=statement-books]")
    expect(books).to_contain_text("50000.00")
    expect(books).to_contain_text("3200.50")
    expect(books).to_contain_text("46799.50")
    expect(books).to_contain_text("活动")
    assert "6222020200012345678" not in page.content()
    page.screenshot(path=str(artifact_path(shot, "2-portal")), full_page=True)
