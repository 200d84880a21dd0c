"""Shared by every test: each starts with nothing remembered by ``shequ.accounts.authcache``.

A test's writes are rolled back without the signals that drop the remembered token, user and grants, so
what one test left in the process's memory would otherwise outlive its rows into the next test."""

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fresh_authcache() -> Iterator[None]:
    from shequ.accounts import authcache

    authcache.forget_local()
    yield
    authcache.forget_local()
