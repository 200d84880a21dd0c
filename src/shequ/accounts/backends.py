"""Django's model backend, with the session's user remembered by the process (``accounts.authcache``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from . import authcache


class CachedModelBackend(ModelBackend):
    """``get_user`` (every request of a logged-in session) answers from memory: any change of a user, a
    grant or a token drops it at once in every process; the session's auth hash is still checked against
    the (remembered) password, so a password change still ends the other sessions."""

    def get_user(self, user_id: Any) -> Any:
        found = authcache.get("user", user_id)
        if found is None:
            found = super().get_user(user_id)
            if found is None:
                return None
            authcache.put("user", user_id, found)
        return authcache.user_copy(found)
