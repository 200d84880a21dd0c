"""End to end in a real browser: log in, browse the territory tree, add a place, switch language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation

from shequ.core.testing import World
from shequ.territory.models import Kind, Node

from .conftest import PageProblems, artifact_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NODE_URL = re.compile(r"/territory/nodes/(\d+)/$")


def log_in(page: Any, base_url: str, username: str, password: str, screenshot: Any = None) -> None:
    page.goto(f"{base_url}/login/")
    if screenshot is not None:
        page.screenshot(path=str(screenshot), full_page=True)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[action='/login/'] button[type=submit]")


def node_id(page: Any) -> int:
    match = NODE_URL.search(page.url)
    assert match, f"not on a node page: {page.url}"
    return int(match.group(1))


def test_browse_add_node_and_switch_language(
    live_server: Any, page: Any, page_problems: PageProblems, request: pytest.FixtureRequest
) -> None:
    from playwright.sync_api import expect

    world = World()
    base = live_server.url
    shot = request.node.name

    # Log in through the real form; "/" then lands on the officer's "today", which leads to their street.
    log_in(page, base, "officer_a", "officer_a-pass-123", screenshot=artifact_path(shot, "0-login"))
    expect(page.get_by_test_id("todos")).to_be_visible()
    with page.expect_navigation():
        page.get_by_test_id("my-area").click()
    expect(page).to_have_url(re.compile(NODE_URL.pattern))
    assert node_id(page) == world.street_a.pk
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator(".page-title")).to_contain_text("和平街道")
    # Whatever the Chinese catalogue holds (the source text until it is translated), the page shows it.
    with translation.override("zh-hans"):
        add_label_zh = translation.gettext("Add a place here")
    expect(page.get_by_test_id("add-child")).to_have_text(add_label_zh)
    page.wait_for_load_state("networkidle")  # the map fetches its GeoJSON
    page.screenshot(path=str(artifact_path(shot, "1-tree")), full_page=True)

    # Into the community from the children table.
    children = page.get_by_test_id("children")
    with page.expect_navigation():
        children.get_by_role("link", name="和平社区", exact=True).click()
    assert node_id(page) == world.community_a.pk
    expect(page.locator(".page-title")).to_contain_text("和平社区")
    expect(page.get_by_test_id("breadcrumbs")).to_contain_text("和平街道")
    expect(page.get_by_test_id("children")).to_contain_text("第1网格")

    # Add a grid under it.
    with page.expect_navigation():
        page.get_by_test_id("add-child").click()
    assert page.url.endswith(f"/territory/nodes/add/?parent={world.community_a.pk}")
    expect(page.locator("input[type=hidden][name=parent]")).to_have_value(str(world.community_a.pk))
    page.select_option("select[name=kind]", "grid")
    page.fill("input[name=name]", "浏览器网格")
    page.screenshot(path=str(artifact_path(shot, "2-form")), full_page=True)
    with page.expect_navigation():
        page.click("form.card .card-footer button.btn-primary[type=submit]")

    expect(page).to_have_url(re.compile(NODE_URL.pattern))
    expect(page.locator("[data-testid=form-errors], .invalid-feedback")).to_have_count(0)
    new_id = node_id(page)
    expect(page.locator(".page-title")).to_contain_text("浏览器网格")
    crumbs = page.get_by_test_id("breadcrumbs")
    expect(crumbs).to_contain_text("和平社区")
    expect(crumbs).to_contain_text("和平街道")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(artifact_path(shot, "3-created")), full_page=True)

    # The database agrees: a grid directly under the community, inside its subtree.
    node = Node.objects.get(pk=new_id)
    assert (node.name, node.kind, node.parent_id) == ("浏览器网格", Kind.GRID, world.community_a.pk)
    assert Node.objects.within(world.community_a.path).filter(pk=new_id).exists()
    assert not Node.objects.within(world.street_b.path).filter(pk=new_id).exists()

    # Switch to English with the header's select (it submits itself); we stay on the same page.
    with page.expect_navigation():
        page.get_by_test_id("language").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert node_id(page) == new_id
    expect(page.get_by_test_id("language")).to_have_value("en")
    expect(page.locator(".page-title")).to_contain_text("浏览器网格")  # data is not translated
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(artifact_path(shot, "4-english")), full_page=True)

    # The language sticks while browsing: back on the community, labels are the English source text.
    with page.expect_navigation():
        crumbs.get_by_role("link", name="和平社区", exact=True).click()
    expect(page.get_by_test_id("add-child")).to_have_text("Add a place here")
    expect(page.get_by_test_id("children")).to_contain_text("浏览器网格")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(artifact_path(shot)), full_page=True)

    assert page_problems.all() == [], "problems in the browser:\n" + "\n".join(page_problems.all())
