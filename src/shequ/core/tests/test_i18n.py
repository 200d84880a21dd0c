"""The Simplified Chinese catalogue is complete, current with the code, and compiled.

The interface is Chinese first (``LANGUAGE_CODE = "zh-hans"``): a string added to the code without a
translation shows up as English in a Chinese screen, so these tests fail on any such string.

Refresh the catalogue (from ``src/shequ``)::

    ../../.venv/bin/shequ makemessages -l zh_Hans --no-obsolete --add-location file -i "static/*"
    # translate the new msgstr "" entries in locale/zh_Hans/LC_MESSAGES/django.po, then:
    ../../.venv/bin/shequ compilemessages -l zh_Hans
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # src/shequ
LOCALE = "zh_Hans"
LANGUAGE = "zh-hans"
PO_PATH = PACKAGE_DIR / "locale" / LOCALE / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
REFRESH_HINT = (
    "refresh the catalogue: cd src/shequ && ../../.venv/bin/shequ makemessages -l zh_Hans --no-obsolete "
    '--add-location file -i "static/*", translate every empty msgstr, then '
    "../../.venv/bin/shequ compilemessages -l zh_Hans"
)
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq", "msgattrib")


# --- a minimal .po reader (stdlib only) -------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"\s*$')
_CONTINUATION = re.compile(r'^"(.*)"\s*$')


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def untranslated(self) -> bool:
        return not self.msgstr or any(not s for s in self.msgstr.values())

    @property
    def translated(self) -> bool:
        return not self.fuzzy and not self.untranslated

    def __str__(self) -> str:
        ctxt = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        where = f" ({' '.join(self.references)})" if self.references else ""
        return f"line {self.line}{where}: {ctxt}{self.msgid!r}"


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file, header included, obsolete (``#~``) entries left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    pending_flags: set[str] = set()
    pending_refs: list[str] = []
    pending_line = 0
    target: tuple[str, int] | None = None  # which string continuation lines extend

    def finish() -> None:
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            target, pending_flags, pending_refs, pending_line = None, set(), [], 0
            continue
        if line.startswith("#"):
            if current is not None and current.msgstr:  # a comment after msgstr starts a new entry
                finish()
            if line.startswith("#,"):
                pending_flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            elif line.startswith("#:"):
                pending_refs += line[2:].split()
            pending_line = pending_line or number
            target = None
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, text = match.group(1), match.group(2), _unescape(match.group(3))
            if keyword in ("msgctxt", "msgid") and current is not None and (current.msgstr or keyword == "msgctxt"):
                finish()
            if current is None:
                current = Entry(line=pending_line or number, flags=pending_flags, references=pending_refs)
                pending_flags, pending_refs, pending_line = set(), [], 0
            if keyword == "msgctxt":
                current.msgctxt = text
                target = ("msgctxt", 0)
            elif keyword == "msgid":
                current.msgid = text
                target = ("msgid", 0)
            elif keyword == "msgid_plural":
                current.msgid_plural = text
                target = ("msgid_plural", 0)
            else:
                slot = int(index) if index is not None else 0
                current.msgstr[slot] = text
                target = ("msgstr", slot)
            continue
        match = _CONTINUATION.match(line)
        if match and current is not None and target is not None:
            text = _unescape(match.group(1))
            name, slot = target
            if name == "msgstr":
                current.msgstr[slot] += text
            elif name == "msgctxt":
                current.msgctxt = (current.msgctxt or "") + text
            else:
                setattr(current, name, getattr(current, name) + text)
            continue
        raise AssertionError(f"{path}:{number}: cannot parse {raw!r}")
    finish()
    return entries


@cache
def committed_entries() -> tuple[Entry, ...]:
    assert PO_PATH.is_file(), f"{PO_PATH} is missing; {REFRESH_HINT}"
    return tuple(parse_po(PO_PATH))


def messages() -> list[Entry]:
    return [e for e in committed_entries() if not e.is_header]


def header() -> dict[str, str]:
    entry = next((e for e in committed_entries() if e.is_header), None)
    assert entry is not None, "the catalogue has no header entry"
    lines = entry.msgstr.get(0, "").splitlines()
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines) if k.strip()}


def listing(entries: list[Entry], *, where: bool = True) -> str:
    """One line per entry; ``where=False`` for entries of a temporary file, whose line numbers mean nothing."""
    if where:
        return "\n".join(f"  {e}" for e in entries)
    return "\n".join(f"  {' '.join(e.references) or '?'}: {e.msgid!r}" for e in entries)


# --- a. every message is translated -------------------------------------------------------------------------------


def test_parser_reads_plural_context_and_escapes(tmp_path: Path) -> None:
    po = tmp_path / "t.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        '#: a.py\n#, fuzzy, python-format\nmsgid "Say \\"%(x)s\\""\nmsgstr "说\\n"\n"“%(x)s”"\n\n'
        'msgctxt "ctx"\nmsgid "one"\nmsgid_plural "many"\nmsgstr[0] ""\n\n'
        '#~ msgid "gone"\n#~ msgstr "没了"\n',
        encoding="utf-8",
    )
    head, fuzzy, plural = parse_po(po)
    assert head.is_header and head.msgstr == {0: "Language: zh_Hans\n"}
    assert (fuzzy.msgid, fuzzy.msgstr[0], fuzzy.fuzzy, fuzzy.line) == ('Say "%(x)s"', "说\n“%(x)s”", True, 5)
    assert (plural.key, plural.msgid_plural, plural.untranslated) == (("ctx", "one"), "many", True)


def test_catalogue_header() -> None:
    head = header()
    assert head.get("Language") == LOCALE, head
    assert "charset=UTF-8" in head.get("Content-Type", ""), head
    assert head.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;", head
    header_entry = next(e for e in committed_entries() if e.is_header)
    assert not header_entry.fuzzy, "the header is marked fuzzy: msgfmt would ignore it (remove '#, fuzzy')"


def test_every_message_is_translated() -> None:
    entries = messages()
    assert len(entries) > 100, f"only {len(entries)} messages in {PO_PATH}; {REFRESH_HINT}"
    untranslated = [e for e in entries if e.untranslated]
    fuzzy = [e for e in entries if e.fuzzy]
    problems = []
    if untranslated:
        problems.append(f"{len(untranslated)} untranslated message(s):\n{listing(untranslated)}")
    if fuzzy:
        problems.append(f"{len(fuzzy)} fuzzy message(s) (check the translation, then drop the flag):\n{listing(fuzzy)}")
    assert not problems, f"{PO_PATH}\n" + "\n".join(problems)


def test_plural_messages_have_exactly_one_form() -> None:
    wrong = [e for e in messages() if e.msgid_plural is not None and sorted(e.msgstr) != [0]]
    assert not wrong, f"Chinese has one plural form (msgstr[0] only):\n{listing(wrong)}"


_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifgeExXrac%]")


def _placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in _PLACEHOLDER.finditer(text) if m.group(0) != "%%")


def test_translations_keep_every_placeholder() -> None:
    wrong = []
    for e in messages():
        if "python-format" not in e.flags or not e.translated:
            continue
        expected = _placeholders(e.msgid_plural or e.msgid)
        for text in e.msgstr.values():
            if _placeholders(text) != expected:
                wrong.append(f"  {e}: {expected} != {_placeholders(text)} in {text!r}")
    assert not wrong, "placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


# --- b. the catalogue is current with the code -------------------------------------------------------------------

_MAKEMESSAGES = """
import sys
import django
from django.conf import settings
django.setup()
settings.LOCALE_PATHS = [sys.argv[1]]  # never the real package's locale
from django.core.management import call_command
call_command("makemessages", locale=["zh_Hans"], ignore_patterns=["static/*"], no_obsolete=True,
             add_location="file", verbosity=0)
"""


def _copy_ignore(directory: str, names: list[str]) -> set[str]:
    ignored = {n for n in names if n == "__pycache__" or n.endswith((".pyc", ".html.py", ".txt.py")) or n[0] == "."}
    if Path(directory).resolve() == PACKAGE_DIR:
        ignored |= {"static", "locale"}  # vendored JS is not ours; the fresh catalogue goes to an empty locale
    return ignored


def test_catalogue_is_current_with_the_code(tmp_path: Path) -> None:
    missing_tools = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing_tools:
        pytest.skip(f"GNU gettext is not installed (no {', '.join(missing_tools)}); CI installs it")
    tree = tmp_path / "shequ"
    shutil.copytree(PACKAGE_DIR, tree, ignore=_copy_ignore)
    locale_dir = tree / "locale"
    locale_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "shequ.settings"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PACKAGE_DIR.parent), os.environ.get("PYTHONPATH")])),
    }
    # -P: the copied tree (cwd) must not shadow importable modules; settings come from the real package.
    result = subprocess.run(
        [sys.executable, "-P", "-c", _MAKEMESSAGES, str(locale_dir)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    fresh_po = locale_dir / LOCALE / "LC_MESSAGES" / "django.po"
    assert fresh_po.is_file(), f"makemessages wrote no catalogue:\n{result.stdout}\n{result.stderr}"
    fresh = {e.key: e for e in parse_po(fresh_po) if not e.is_header}
    committed = {e.key: e for e in messages()}

    new = [e for key, e in fresh.items() if key not in committed]
    untranslated = [committed[key] for key in fresh if key in committed and not committed[key].translated]
    plural_changed = [
        e for key, e in fresh.items() if key in committed and e.msgid_plural != committed[key].msgid_plural
    ]
    stale = [e for key, e in committed.items() if key not in fresh]
    problems = []
    if new:
        problems.append(f"{len(new)} message(s) in the code but not in the catalogue:\n{listing(new, where=False)}")
    if untranslated:
        problems.append(f"{len(untranslated)} message(s) in the code with no translation:\n{listing(untranslated)}")
    if plural_changed:
        problems.append(
            f"{len(plural_changed)} message(s) whose plural changed:\n{listing(plural_changed, where=False)}"
        )
    if stale:
        problems.append(f"{len(stale)} message(s) in the catalogue no longer in the code:\n{listing(stale)}")
    assert not problems, "\n".join(problems) + f"\n{REFRESH_HINT}"


# --- c. the compiled catalogue matches the .po -------------------------------------------------------------------


def _mo_message_count(data: bytes) -> int:
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    return struct.unpack(order + "I", data[8:12])[0]


def test_compiled_catalogue_matches_the_po() -> None:
    assert MO_PATH.is_file(), f"{MO_PATH} is missing: run compilemessages -l zh_Hans and commit the .mo"
    data = MO_PATH.read_bytes()
    with MO_PATH.open("rb") as fp:
        mo = gettext.GNUTranslations(fp)
    translated = [e for e in messages() if e.translated]
    assert _mo_message_count(data) == len(translated) + 1, (  # + 1: msgfmt stores the header as a message
        f"{MO_PATH.name} holds {_mo_message_count(data) - 1} messages, {PO_PATH.name} has {len(translated)} "
        "translated: recompile with compilemessages -l zh_Hans"
    )
    assert mo.info().get("language") == LOCALE, mo.info()
    stale = []
    for e in translated:
        if e.msgid_plural is not None:
            forms = {
                n: (
                    mo.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                    if e.msgctxt is not None
                    else mo.ngettext(e.msgid, e.msgid_plural, n)
                )
                for n in (1, 2, 5)
            }
            ok = all(text == e.msgstr[0] for text in forms.values())
        else:
            text = mo.pgettext(e.msgctxt, e.msgid) if e.msgctxt is not None else mo.gettext(e.msgid)
            ok = text == e.msgstr[0]
        if not ok:
            stale.append(e)
    assert not stale, f"{MO_PATH.name} is out of date for:\n{listing(stale)}\nrun compilemessages -l zh_Hans"


# --- d. Django serves the translations ---------------------------------------------------------------------------


def _po_translation(msgid: str) -> str:
    entry = next((e for e in messages() if e.msgid == msgid and e.msgctxt is None), None)
    assert entry is not None and entry.translated, f"{msgid!r} is not translated in {PO_PATH}"
    return entry.msgstr[0]


def test_chinese_is_the_default_language() -> None:
    assert settings.LANGUAGE_CODE == LANGUAGE
    assert translation.to_locale(LANGUAGE) == LOCALE  # the directory Django looks in
    assert PO_PATH.parent.parent.parent.resolve() in {Path(p).resolve() for p in settings.LOCALE_PATHS}


def test_django_translates_through_the_catalogue() -> None:
    expected = _po_translation("Log in")
    assert expected == "登录"
    with translation.override(LANGUAGE):
        assert translation.gettext("Log in") == expected
        assert Template('{% load i18n %}{% translate "Log in" %}').render(Context()) == expected
    with translation.override("en"):
        assert translation.gettext("Log in") == "Log in"


def test_django_serves_every_catalogue_message() -> None:
    """Our catalogue wins over Django's and the apps' own (LOCALE_PATHS come first) for every message."""
    wrong = []
    with translation.override(LANGUAGE):
        for e in messages():
            if not e.translated:
                continue
            if e.msgid_plural is not None:
                got = [
                    translation.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                    if e.msgctxt is not None
                    else translation.ngettext(e.msgid, e.msgid_plural, n)
                    for n in (1, 3)
                ]
                if got != [e.msgstr[0]] * 2:
                    wrong.append(f"  {e}: {got}")
            else:
                text = (
                    translation.pgettext(e.msgctxt, e.msgid) if e.msgctxt is not None else translation.gettext(e.msgid)
                )
                if text != e.msgstr[0]:
                    wrong.append(f"  {e}: {text!r}")
    assert not wrong, "Django does not return the catalogue's translation for:\n" + "\n".join(wrong)


def test_blocktranslate_plural_renders_in_chinese() -> None:
    candidates = [
        e
        for e in messages()
        if e.msgid_plural is not None
        and e.translated
        and e.msgctxt is None
        and len(set(re.findall(r"%\((\w+)\)[sd]", e.msgid + e.msgid_plural))) == 1
    ]
    if not candidates:
        pytest.skip("no plural message with a single counter in the catalogue")
    entry = candidates[0]
    counter = re.findall(r"%\((\w+)\)[sd]", entry.msgid + (entry.msgid_plural or ""))[0]
    to_template = re.sub(r"%\((\w+)\)[sd]", r"{{ \1 }}", entry.msgid)
    plural = re.sub(r"%\((\w+)\)[sd]", r"{{ \1 }}", entry.msgid_plural or "")
    source = (
        "{% load i18n %}{% blocktranslate count "
        + counter
        + "=n %}"
        + to_template
        + "{% plural %}"
        + plural
        + "{% endblocktranslate %}"
    )
    with translation.override(LANGUAGE):
        rendered = Template(source).render(Context({"n": 7}))
    assert rendered == entry.msgstr[0].replace(f"%({counter})s", "7").replace(f"%({counter})d", "7"), rendered
