"""gunicorn's loggers with the personal-data mask: its access log writes request lines with their query
strings and referrers (``?q=<identity number>``), its error log request details.

Used by ``gunicorn.conf.py`` at the top of the repository (gunicorn reads it from the directory it
starts in), or ``gunicorn --logger-class shequ.core.gunicorn_logging.MaskingLogger``.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from .logging import MaskPersonalDataFilter


class MaskingLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        mask = MaskPersonalDataFilter()
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, MaskPersonalDataFilter) for f in log.filters):
                log.addFilter(mask)
