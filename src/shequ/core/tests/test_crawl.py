"""The whole demo city, walked as each of its users would: every menu entry and, on the pages reached, every
新增 / 编辑 / step button (one level deep) opens without a 4xx or 5xx, and no zh-Hans page shows an internal
ASCII code or a source-document reference."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from typing import ClassVar
from urllib.parse import urlsplit

from django.apps import apps
from django.core.management import call_command
from django.db.models import SlugField
from django.test import TestCase
from django.urls import reverse

from shequ.accounts.models import User
from shequ.core import indicators

# Buttons that lead to a form: add, edit, a workflow step (``<pk>/do/<step>/``), delete, import.
BUTTON_PATH = re.compile(r"/(add|edit|delete|import)/$|/do/[\w-]+/$")
# A detail page: the first row of each list is opened to reach its buttons.
DETAIL_PATH = re.compile(r"/\d+/$")
# Paths never followed: downloads and what leaves the session.
SKIP_PATH = re.compile(r"/(export|template|download|logout|i18n|jsi18n)/|^/static/|^/media/|\.(xlsx|csv|json)$")
# An internal code: a lowercase word joined by "_" or "-" (``low_income``, ``fire-hazard``), or a single word
# stored as a code (a choice of any model field, the code of a tag, a skill, a category, a tier): shown by its
# label, never as itself.
CODE_WORD = re.compile(r"(?<![\w./@:-])[a-z][a-z0-9]*(?:[_-][a-z0-9]+)+(?![\w./@-])")
SINGLE_WORD = re.compile(r"(?<![\w./@:-])[a-z][a-z0-9]{2,}(?![\w./@-])")


def stored_codes() -> frozenset[str]:
    """Every lowercase ASCII value a model stores as a code: field choices, and the codes of the lists."""
    codes: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for key, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(key, str) and re.fullmatch(r"[a-z][a-z0-9_-]+", key):
                    codes.add(key)
        if any(f.name == "code" and isinstance(f, SlugField) for f in model._meta.get_fields()):
            codes.update(str(c) for c in model._default_manager.values_list("code", flat=True) if str(c).islower())
    return frozenset(codes)


SOURCE_REFERENCE = re.compile(r"（?\(?00[0-4]\s*§\s*\d+")
# Words that are ASCII on purpose: brands, formats, units.
ALLOWED = {"x-www-form-urlencoded"}


class VisibleText(HTMLParser):
    """The text a reader sees (no scripts, styles, attributes) and the links of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template", "textarea", "code"):
            self.hidden += 1
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/"):
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template", "textarea", "code") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def read(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    return parser


def code_words(text: str, codes: frozenset[str] = frozenset()) -> set[str]:
    text = re.sub(r"\S+@\S+|https?://\S+|/[\w./?=&%-]*", " ", text)  # e-mails, addresses, paths
    found = set(CODE_WORD.findall(text)) | {w for w in SINGLE_WORD.findall(text) if w in codes}
    return {word for word in found if word not in ALLOWED}


POLICY_TARGETS = indicators.POLICY_TARGETS


class CrawlTests(TestCase):
    """One walk per role of the demo city (the smallest scale)."""

    maxDiff = None
    users: ClassVar[list[str]]
    codes: ClassVar[frozenset[str]]

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed", scale="tiny", seed=1, password="crawl-pass-123", stdout=io.StringIO())
        cls.users = list(User.objects.order_by("username").values_list("username", flat=True))
        cls.codes = stored_codes() - set(cls.users)

    def setUp(self) -> None:
        self.problems: list[str] = []
        self.seen: set[str] = set()

    def visit(self, url: str, source: str) -> VisibleText | None:
        path = urlsplit(url).path
        if url in self.seen or SKIP_PATH.search(path):
            return None
        self.seen.add(url)
        response = self.client.get(url, follow=True)
        if response.status_code >= 400:
            self.problems.append(f"{response.status_code} {url} (from {source})")
            return None
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return None
        page = read(response.content.decode())
        text = " ".join(page.parts)
        for word in sorted(code_words(text, self.codes) - set(self.users)):  # a login name is ASCII on purpose
            self.problems.append(f"code word {word!r} on {url}")
        for ref in SOURCE_REFERENCE.findall(text):
            self.problems.append(f"source reference {ref!r} on {url}")
        return page

    def follow_buttons(self, page: VisibleText, source: str) -> None:
        for link in dict.fromkeys(page.links):
            if BUTTON_PATH.search(urlsplit(link).path):
                self.visit(link, source)

    def crawl(self, start: str, menu: list[str]) -> None:
        for entry in menu:
            page = self.visit(entry, start)
            if page is None:
                continue
            self.follow_buttons(page, entry)
            details = [
                link
                for link in dict.fromkeys(page.links)
                if DETAIL_PATH.search(urlsplit(link).path) and link.startswith(entry) and link != entry
            ]
            for link in details[:1]:
                detail = self.visit(link, entry)
                if detail is not None:
                    self.follow_buttons(detail, link)

    def menu_links(self, html: str) -> list[str]:
        nav = html.split('id="sidebar-menu"', 1)[-1].split("</aside>", 1)[0]
        return list(dict.fromkeys(read(nav).links))

    def test_every_role(self) -> None:
        from shequ.accounts.models import Grant
        from shequ.accounts.roles import ROLES

        # Every role of the platform has a login in the demo city, and the administrator walks too.
        self.assertEqual(set(Grant.objects.values_list("role", flat=True)), set(ROLES))
        self.assertIn("admin", self.users)
        for username in self.users:
            with self.subTest(user=username):
                self.problems, self.seen = [], set()
                self.client.force_login(User.objects.get(username=username))
                home = self.client.get("/")
                self.assertEqual(home.status_code, 200)
                menu = self.menu_links(home.content.decode())
                self.assertTrue(menu, f"{username} has no menu")
                self.crawl("/", ["/", *menu])
                self.client.logout()
                self.assertEqual(self.problems, [], username)

    def test_portal_anonymous(self) -> None:
        home = self.visit("/services/portal/", "start")
        self.assertIsNotNone(home)
        assert home is not None
        for link in dict.fromkeys(home.links):
            if link.startswith("/services/portal/") or link.startswith("/volunteers/"):
                self.visit(link, "/services/portal/")
        # A resident follows their own request with its tracking code and the last digits of their phone.
        from shequ.services.models import ServiceRequest

        mine = ServiceRequest.objects.exclude(phone_last4="").order_by("pk").first()
        assert mine is not None
        progress = self.client.post("/services/portal/track/", {"code": mine.code, "last4": mine.phone_last4})
        self.assertContains(progress, mine.code)
        words = code_words(" ".join(read(progress.content.decode()).parts), self.codes)
        self.assertEqual(words, set(), "internal codes on the resident's page")
        self.assertEqual(self.problems, [])

    def test_code_words(self) -> None:
        self.assertEqual(code_words("类别 low_income，标签 fire-hazard"), {"low_income", "fire-hazard"})
        self.assertEqual(code_words("状态 emergency", frozenset({"emergency"})), {"emergency"})
        self.assertIn("entitled", stored_codes())  # a special-care tag's code
        self.assertIn("submitted", stored_codes())  # a request's state
        self.assertEqual(code_words("见 /api/v1/docs 或 admin@example.org"), set())
        self.assertEqual(code_words("低收入家庭 张伟 3号楼"), set())

    def test_the_fourteen_targets_at_every_level(self) -> None:
        """The fourteen targets of domain.md §6 for the city, a district, a street and a community of the demo."""
        from shequ.territory.models import Kind, Node

        self.assertEqual(len(set(POLICY_TARGETS)), 14)
        self.assertTrue(set(POLICY_TARGETS) <= set(indicators.INDICATORS), "each target has its indicator")
        self.client.force_login(User.objects.get(username="admin"))
        for kind in (Kind.CITY, Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY):
            node = Node.objects.filter(kind=kind).order_by("path").first()
            assert node is not None
            with self.subTest(kind=kind):
                page = self.client.get(reverse("core:targets"), {"node": node.pk})
                self.assertEqual(page.status_code, 200)
                figures = {row["indicator"].code: row["figure"] for row in page.context["rows"]}
                codes = [row["indicator"].code for row in page.context["rows"]]
                self.assertEqual(codes[: len(POLICY_TARGETS)], list(POLICY_TARGETS), "the targets come first")
                self.assertContains(page, 'data-group="policy"', count=1)
                self.assertContains(page, 'data-group="other"', count=1)
                for code in POLICY_TARGETS:
                    self.assertIn(code, figures)
                    self.assertIsNotNone(figures[code].value, f"{code} has a figure at the {kind}")
                    self.assertContains(page, f'data-indicator="{code}"')
