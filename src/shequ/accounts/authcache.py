"""Who is asking, remembered between requests: a bearer token's user and a user's grants.

Every API request read its token (with the user) and every request the user's grants: two of the three
queries of an API read.  Each worker process now keeps them in memory:

* a change of a grant, an API token or a user (saved or deleted through the ORM: the pages, the API,
  the commands, the admin) stamps a new *generation* in the shared cache (``CACHES["default"]``: files
  under the var dir, or Redis), and every process drops what it remembers when it sees a new generation
  (one cache read per request, whoever asks) — so a revoked grant or token, or a deactivated user, takes effect **at
  once** in every worker;
* whatever the signals do not see (a raw SQL ``UPDATE``, a queryset ``.update()``) is read again after
  at most ``SHEQU_AUTH_CACHE_SECONDS`` (default 30; 0 turns the caches off).

A token's expiry is checked on every request against the remembered expiry, and ``last_used`` is still
written at most once a minute.  The remembered user object is never handed out: each request gets a copy.
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

GENERATION_KEY = "shequ:auth-generation"

_lock = threading.Lock()
_entries: dict[tuple[str, Any], tuple[float, Any]] = {}
_generation: list[Any] = [None]
# Within one request the generation is read once (the user, the grants, the menu and the filter form each
# ask): ``checked`` is False from ``request_started`` until the first ``get`` reads it, True after; outside a
# request (commands, tests calling code directly) it is None and every ``get`` reads the generation.
_request = threading.local()


def lifetime() -> float:
    return float(getattr(settings, "SHEQU_AUTH_CACHE_SECONDS", 30))


def _current_generation() -> Any:
    try:
        return cache.get(GENERATION_KEY)
    except Exception:  # noqa: BLE001 - a cache that cannot be read: remember nothing rather than fail
        return object()


def get(kind: str, key: Any) -> Any:
    """What is remembered under (*kind*, *key*), or None (nothing, too old, or the generation changed)."""
    if lifetime() <= 0:
        return None
    checked = getattr(_request, "checked", None)
    if checked is not True:
        generation = _current_generation()
        if checked is False:
            _request.checked = True
        with _lock:
            if generation != _generation[0]:
                _entries.clear()
                _generation[0] = generation
                return None
    with _lock:
        found = _entries.get((kind, key))
    if found is None or found[0] < time.monotonic():
        return None
    return found[1]


# At most this many entries per process (users × pages × statements): past it, the expired go, then the oldest.
MAX_ENTRIES = 20_000


def put(kind: str, key: Any, value: Any) -> None:
    """Remember *value* (read after ``get`` found nothing) for the lifetime."""
    if lifetime() <= 0:
        return
    now = time.monotonic()
    with _lock:
        _entries.pop((kind, key), None)  # re-inserted last: the order of the dict is the order of age
        _entries[(kind, key)] = (now + lifetime(), value)
        if len(_entries) > MAX_ENTRIES:
            _trim(now)


def _trim(now: float) -> None:
    for entry_key in [k for k, (expires, _v) in _entries.items() if expires < now]:
        del _entries[entry_key]
    if len(_entries) > MAX_ENTRIES * 3 // 4:
        for entry_key in list(_entries)[: len(_entries) - MAX_ENTRIES // 2]:
            del _entries[entry_key]


def forget_local() -> None:
    """Drop what this process remembers (the tests: a rolled-back write sends no signal)."""
    with _lock:
        _entries.clear()
        _generation[0] = None


def _new_generation() -> None:
    try:
        cache.set(GENERATION_KEY, secrets.token_hex(8), None)
    except Exception:  # noqa: BLE001 - without a shared cache the lifetime still bounds the delay
        pass


def forget_all(**_kwargs: Any) -> None:
    """Drop what every process remembers: this process's copy at once, the others' by a new generation in
    the shared cache, stamped now and again when the transaction commits (a process that read the old rows
    in between, before the change was visible, drops them then)."""
    forget_local()
    _new_generation()
    transaction.on_commit(_new_generation)


def _user_saved(sender: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login stamps last_login: nothing the caches hold
    forget_all()


def user_copy(user: Any) -> Any:
    """A copy of a remembered user for one request (what a request caches on it stays with the request)."""
    return copy.copy(user)


def _request_started(**_kwargs: Any) -> None:
    _request.checked = False


def _request_finished(**_kwargs: Any) -> None:
    _request.checked = None


def connect() -> None:
    from django.core.signals import request_finished, request_started

    from .models import APIToken, Grant, User

    request_started.connect(_request_started, dispatch_uid="authcache-request-started")
    request_finished.connect(_request_finished, dispatch_uid="authcache-request-finished")

    for model in (Grant, APIToken):
        post_save.connect(forget_all, sender=model, dispatch_uid=f"authcache-save-{model.__name__}")
        post_delete.connect(forget_all, sender=model, dispatch_uid=f"authcache-delete-{model.__name__}")
    post_save.connect(_user_saved, sender=User, dispatch_uid="authcache-save-User")
    post_delete.connect(forget_all, sender=User, dispatch_uid="authcache-delete-User")
