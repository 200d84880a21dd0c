"""Fixtures for browser tests: Debian's Chromium driven by Playwright's sync API.

The tests skip (never fail) when no Chromium binary is found. Screenshots go to
``test-artifacts/browser/`` at the repository root (git-ignored).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO_DIR = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_DIR / "test-artifacts" / "browser"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageProblems:
    """What went wrong in the page while a test drove it."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        return (
            [f"console: {m}" for m in self.console_errors]
            + [f"page error: {m}" for m in self.page_errors]
            + [f"CSP: {m}" for m in self.csp_violations]
        )


# Reports every CSP violation of a document to the exposed binding (init scripts are not subject to CSP).
_CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', function (e) {
  window.__shequReportCsp(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
                          ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        pytest.skip("no Chromium binary on PATH (install Debian's: apt-get install -y chromium)")
    return path


@pytest.fixture
def browser_context(chromium_path: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a
    # thread with a running loop unless told this is fine. Only for browser tests, so the check
    # still guards every other test of the session.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            context.close()
            browser.close()
            # The test's own queries ran while Playwright's event loop was running, on a connection of that
            # context (Django keys connections by context, not only by thread): close it here, or
            # PostgreSQL cannot drop the test database at the end of the session.
            from django.db import connections

            connections.close_all()


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(browser_context: Any, page_problems: PageProblems, request: pytest.FixtureRequest) -> Iterator[Any]:
    page = browser_context.new_page()

    def on_console(msg: Any) -> None:
        text = msg.text
        if "Content Security Policy" in text:
            page_problems.csp_violations.append(text)
        elif msg.type == "error":
            url = (msg.location or {}).get("url", "")
            if url.endswith("/favicon.ico"):
                # Chromium asks for /favicon.ico on its own when a page declares no icon; not the app's doing.
                page_problems.ignored.append(f"{text} ({url})")
            else:
                page_problems.console_errors.append(f"{text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: page_problems.page_errors.append(str(exc)))
    page.expose_function("__shequReportCsp", lambda text: page_problems.csp_violations.append(text))
    page.add_init_script(_CSP_LISTENER)
    yield page
    report = getattr(request.node, "rep_call", None)
    failure_shot = artifact_path(request.node.name, "failure")
    if report is not None and report.failed:
        try:
            page.screenshot(path=str(failure_shot), full_page=True)
        except Exception:  # noqa: BLE001 - the failure itself matters more than its screenshot
            pass
    else:
        failure_shot.unlink(missing_ok=True)  # stale, from an earlier failed run
    page.close()


def artifact_path(test_name: str, step: str | None = None) -> Path:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", test_name)
    return ARTIFACTS_DIR / (f"{stem}-{step}.png" if step else f"{stem}.png")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Lets the page fixture know whether the test body failed (for the failure screenshot).
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
