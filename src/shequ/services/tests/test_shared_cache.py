"""The portal's rate limits hold across gunicorn's worker processes: production's cache is shared.

Each worker process builds its own cache client from settings; two clients built from the production
configuration stand for two workers.  (Tests themselves run on a local-memory cache.)"""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

from django.core.cache.backends.base import BaseCache
from django.test import SimpleTestCase
from django.utils.module_loading import import_string

from shequ.services import portal
from shequ.settings import shared_cache

REDIS_URL = os.environ.get("SHEQU_REDIS_URL") or "redis://127.0.0.1:6379/15"


def client_of(config: dict[str, Any]) -> BaseCache:
    """A cache client as a worker process makes it from ``CACHES["default"]``."""
    backend = import_string(config["BACKEND"])
    params = {k: v for k, v in config.items() if k not in ("BACKEND", "LOCATION")}
    return backend(config["LOCATION"], params)  # type: ignore[no-any-return]


class SharedRateLimitTests(SimpleTestCase):
    def hits_until_throttled(self, workers: list[BaseCache], key: str) -> int:
        """Attempts (spread over *workers* in turn) accepted before the limit answers."""
        limit, _window = portal.LIMITS["track_code"]
        for n in range(limit * len(workers) + 1):
            try:
                portal._hit("track_code", key, store=workers[n % len(workers)])
            except portal.Throttled:
                return n
        return n + 1

    def test_configuration(self) -> None:
        var = Path("/srv/shequ/var")
        self.assertEqual(
            shared_cache("redis://127.0.0.1:6379/0", var)["BACKEND"], "django.core.cache.backends.redis.RedisCache"
        )
        files = shared_cache("", var)
        self.assertEqual(files["BACKEND"], "django.core.cache.backends.filebased.FileBasedCache")
        self.assertEqual(files["LOCATION"], str(var / "cache"))

    def test_file_cache_is_shared_by_worker_processes(self) -> None:
        with tempfile.TemporaryDirectory() as var:
            config = shared_cache("", Path(var))
            workers = [client_of(config), client_of(config)]
            limit = portal.LIMITS["track_code"][0]
            self.assertEqual(self.hits_until_throttled(workers, "ABCDEFGHJKMN"), limit)
            # A third worker started later sees the same counter.
            with self.assertRaises(portal.Throttled):
                portal._hit("track_code", "ABCDEFGHJKMN", store=client_of(config))

    def test_a_per_process_cache_would_not_be(self) -> None:
        """What the shared cache prevents: local memory gives every worker the whole limit."""
        config = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        workers = [client_of({**config, "LOCATION": "worker-1"}), client_of({**config, "LOCATION": "worker-2"})]
        limit = portal.LIMITS["track_code"][0]
        self.assertEqual(self.hits_until_throttled(workers, "ABCDEFGHJKMN"), 2 * limit)

    def test_redis_cache_is_shared_by_worker_processes(self) -> None:
        config = shared_cache(REDIS_URL, Path("/nonexistent"))
        config["KEY_PREFIX"] = f"shequ-test-{uuid.uuid4().hex}"  # never touch another run's keys
        workers = [client_of(config), client_of(config)]
        try:
            workers[0].get("probe")
        except Exception as exc:  # noqa: BLE001 - no Redis here: nothing to test
            self.skipTest(f"no Redis at {REDIS_URL}: {exc}")
        key = uuid.uuid4().hex
        try:
            self.assertEqual(self.hits_until_throttled(workers, key), portal.LIMITS["track_code"][0])
        finally:
            workers[0].delete_many([f"portal:track_code:{hashlib.sha256(key.encode()).hexdigest()[:32]}"])
