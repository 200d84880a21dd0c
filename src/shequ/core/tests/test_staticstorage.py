"""Production's static store (``core.staticstorage``): each address is the manifest's, looked up once."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from unittest import mock

from django.test import SimpleTestCase, override_settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

from shequ.core import staticstorage
from shequ.core.staticstorage import ManifestStaticFilesStorage


class ManifestStorageTests(SimpleTestCase):
    def storage(self, root: str) -> ManifestStaticFilesStorage:
        paths = {"shequ/app.css": "shequ/app.0123abcd.css", "vendor/x y.js": "vendor/x y.99.js"}
        Path(root, "staticfiles.json").write_text(json.dumps({"paths": paths, "version": "1.1", "hash": "h"}))
        return ManifestStaticFilesStorage(location=root, base_url="/static/")

    def test_the_manifests_address_looked_up_once(self) -> None:
        with tempfile.TemporaryDirectory() as root, override_settings(DEBUG=False):
            storage = self.storage(root)
            plain = CompressedManifestStaticFilesStorage(location=root, base_url="/static/")
            for name in ("shequ/app.css", "vendor/x y.js"):
                self.assertEqual(storage.url(name), plain.url(name))
            self.assertEqual(storage.url("shequ/app.css"), "/static/shequ/app.0123abcd.css")
            with mock.patch.object(CompressedManifestStaticFilesStorage, "url") as looked_up:
                self.assertEqual(storage.url("shequ/app.css"), "/static/shequ/app.0123abcd.css")
            looked_up.assert_not_called()
            for _ in range(2):  # a name not in the manifest is an error every time, never remembered
                with self.assertRaises(ValueError):
                    storage.url("missing.css")

    def test_past_the_bound_all_are_looked_up_again(self) -> None:
        with tempfile.TemporaryDirectory() as root, override_settings(DEBUG=False):
            with mock.patch.object(staticstorage, "MAX_NAMES", 1):
                storage = self.storage(root)
                storage.url("shequ/app.css")
                storage.url("vendor/x y.js")
                self.assertEqual(list(storage._urls), [("vendor/x y.js", False)])
