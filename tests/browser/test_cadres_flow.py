"""End to end (issue 15): a street's organization officer imports a year's training sheet and the pay table, then
sees who misses 160 training hours and who is paid below the local average wage of the previous year."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from shequ.cadres.models import PayTable, TrainingRecord
from shequ.cadres.tests.helpers import cadre, grade, org_officer
from shequ.core.testing import World, xlsx_bytes

from .conftest import PageProblems, artifact_path
from .test_territory_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sheet(tmp_path: Path, name: str, rows: list[list[Any]]) -> str:
    target = tmp_path / name
    target.write_bytes(xlsx_bytes(rows))
    return str(target)


def _import(page: Any, base: str, path: str, file: str, shot: str, name: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}{path}")
    page.set_input_files("input[type=file][name=file]", file)
    with page.expect_navigation():
        page.click("form[enctype] button[type=submit]")
    page.screenshot(path=str(artifact_path(shot, f"{name}-preview")), full_page=True)
    with page.expect_navigation():
        page.click("form[action*='apply'] button[type=submit]")
    expect(page.locator("body")).not_to_contain_text("失败")


def test_organization_officer_imports_training_and_pay(
    live_server: Any, browser_context: Any, page_problems: PageProblems, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    world = World()
    org_officer(world, "zuzhi_a", world.street_a)
    short = cadre(world.community_a, name="周社工", number="SG1")
    busy = cadre(world.community_a, name="郑高薪", number="SG2")
    grade(short, 5, since=date(2020, 1, 1))
    grade(busy, 18, since=date(2020, 1, 1), category="head")
    today = timezone.localdate()
    first = date(today.year, 1, 5)
    days = [first + timedelta(days=k) for k in range(20)]
    training = [["工号", "姓名", "课程名称", "主办单位", "培训类型", "日期", "学时"]]
    training += [["SG2", "郑高薪", "社区工作者年度轮训", "区委组织部", "年度轮训", d.isoformat(), 8] for d in days]
    training += [["SG1", "周社工", "社区工作者年度轮训", "区委组织部", "年度轮训", days[0].isoformat(), 8]]
    grades = [3000 + 100 * (g - 1) for g in range(1, 19)]
    pay = [["年度", "岗位类别", *[f"{g}级" for g in range(1, 19)], "上年度当地平均工资"]]
    pay += [[today.year, label, *grades, 50000] for label in ("书记、主任", "副职", "其他社区工作者")]

    base = live_server.url
    shot = request.node.name
    page = browser_context.new_page()
    log_in(page, base, "zuzhi_a", "zuzhi_a-pass-123")
    _import(page, base, "/cadres/training/import/", _sheet(tmp_path, "training.xlsx", training), shot, "1-training")
    assert TrainingRecord.objects.count() == 21
    _import(page, base, "/cadres/pay-tables/import/", _sheet(tmp_path, "pay.xlsx", pay), shot, "2-pay")
    assert PayTable.objects.get(node=world.street_a, year=today.year).rates.count() == 54

    # Who misses 160 hours: 周社工 (8 h), not 郑高薪 (160 h).
    page.goto(f"{base}/cadres/training-hours/")
    hours = page.locator("[data-testid=hours-list]")
    expect(hours).to_contain_text("周社工")
    expect(hours).not_to_contain_text("郑高薪")
    expect(page.locator("[data-testid=missing-count]")).to_have_text("1")
    page.screenshot(path=str(artifact_path(shot, "3-hours")), full_page=True)

    # Who is paid below the average wage: grade 5 of the other workers (3,400 a month, 40,800 a year < 50,000).
    page.goto(f"{base}/cadres/below-average/")
    below = page.locator("[data-testid=below-list]")
    expect(below).to_contain_text("周社工")
    expect(below).to_contain_text("9200")
    expect(below).not_to_contain_text("郑高薪")
    page.screenshot(path=str(artifact_path(shot, "4-below-average")), full_page=True)
    assert not page_problems.all(), page_problems.all()
