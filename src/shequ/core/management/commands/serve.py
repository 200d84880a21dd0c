"""``shequ serve [ADDR:PORT]``: the web server and the background-task worker together (embedded mode)."""

from __future__ import annotations

import atexit
import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the site and run the background worker alongside (for the embedded set-up)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true")
        parser.add_argument(
            "--tick", type=int, default=300, help="seconds between runs of `shequ tick` (deadlines …); 0: never"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        worker = None
        if not opts["no_worker"]:
            from shequ.core.jobs import reap

            # Jobs a worker left behind when it was killed: interrupted, their task rows settled.
            reap()
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "shequ",
                    "db_worker",
                    "--interval",
                    "0.5",
                    "--no-reload",
                    "--no-startup-delay",
                ]
            )

            def stop() -> None:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)
                    try:
                        worker.wait(timeout=5)
                    except subprocess.TimeoutExpired:
                        worker.kill()

            atexit.register(stop)
            if opts["tick"] > 0:
                _start_ticker(opts["tick"])
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        self.stdout.write(
            f"Shequ at http://{opts['addrport']}/  (worker: {'on' if worker else 'off'}; Ctrl-C stops both)"
        )
        call_command("runserver", opts["addrport"], use_reloader=False)


def _start_ticker(every: int) -> None:
    """``shequ tick`` in a daemon thread every *every* seconds (its errors are logged, never fatal)."""
    import logging
    import threading

    from django.db import connection

    logger = logging.getLogger(__name__)
    stop = threading.Event()

    def run() -> None:
        from .tick import tick

        while not stop.wait(every):
            try:
                tick()
            except Exception:
                logger.exception("shequ tick failed")
            finally:
                connection.close()

    threading.Thread(target=run, name="shequ-tick", daemon=True).start()
