"""What the positions app adds to the shared registries (called from ``AppConfig.ready``)."""

from __future__ import annotations


def register_all() -> None:
    from . import indicators

    indicators.register_all()
