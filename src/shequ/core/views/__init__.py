from .generic import ViewSet  # noqa: F401
