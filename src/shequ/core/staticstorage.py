"""The production store of static files: whitenoise's compressed manifest, its addresses looked up once.

Every page asks ``{% static %}`` for six addresses (the icon, the styles, the scripts), and each answer went
through the manifest's lookup, the name's cleaning and a ``urljoin``: 20 µs each, 0.12 ms a page.  The manifest is
read when the process starts and never changes while it runs (a new ``collectstatic`` takes a restart, as it
always did), so an address found once is the address for the life of the process.
"""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage

from .memo import Bounded

MAX_NAMES = 1_000  # what templates ask for is a short, fixed list; past it, all are looked up again


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: Bounded[tuple[str, bool], str] = Bounded(MAX_NAMES)

    def url(self, name: str, force: bool = False) -> str:  # type: ignore[override]
        return self._urls.get_or((name, force), super().url, name, force)
