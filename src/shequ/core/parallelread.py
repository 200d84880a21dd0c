"""The parallel reader of a large import: a forked process reads the file, parses the cells and runs the checks
that need no database (``Importer.prepare``), chunk by chunk, while the importing process checks against the
database and writes; and the rule for when a second process is worth it (``idle_core``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .exceptions import ActionError

if TYPE_CHECKING:
    from .importing import Importer


def _reader_process(importer: Importer, path: str | Path, filename: str, conn: Any) -> None:
    """In the forked reader: send what ``_chunks`` yields through *conn*, then exit without any cleanup
    (the database connections this process inherited belong to the parent: never touch them)."""
    from .importing import _chunks

    status = 0
    try:
        for item in _chunks(importer, path, filename):
            conn.send(("item", item))
        conn.send(("end", None))
    except ActionError as exc:
        conn.send(("error", ("；".join(exc.messages), exc.code)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        conn.send(("crash", f"{type(exc).__name__}: {exc}"))
        status = 1
    finally:
        conn.close()
        os._exit(status)


def parallel_chunks(importer: Importer, path: str | Path, filename: str) -> Iterator[Any]:
    """``_chunks`` run in a forked process, so that reading the file, parsing the cells and the checks
    that need no database (``prepare``) overlap with the checks and writes of this process."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_reader_process, args=(importer, path, filename, send), daemon=True)
    process.start()
    send.close()
    try:
        while True:
            try:
                kind, payload = receive.recv()
            except EOFError:
                raise RuntimeError("the spreadsheet reader stopped without a word") from None
            if kind == "item":
                yield payload
            elif kind == "end":
                return
            elif kind == "error":
                raise ActionError(payload[0], code=payload[1])
            else:
                raise RuntimeError(f"the spreadsheet reader failed: {payload}")
    finally:
        receive.close()
        process.join(timeout=5)
        if process.is_alive():  # the import stopped early (an error, all or nothing): stop reading
            process.kill()
            process.join()


def idle_core() -> bool:
    """Is a core free for the reader process, now?  The reader and the writer each keep a core busy; two processes
    fighting for the same cores take longer than one doing both.  Asked of the kernel's counters of idle time over
    50 ms (``/proc/stat``): the reader is forked when more than 1.25 cores sat idle meanwhile.  The load average
    of the last minute, used before, counts this import's own work of the past minute (a bench that had just
    prepared its file never got the reader on a quiet machine) and other processes long gone.  Measured, 50,000
    residents on SQLite, 2 cores shared with other benches, with the reader and without, taking turns: while
    about one core was free 5.0–7.0 s against 4.3–6.3 s (no better), while others kept both cores busy 8.3–8.9 s
    against 6.7–7.3 s (worse); on a quiet machine 3.1 s against 3.5 s."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    if cores < 2:
        return False
    idle = _idle_cores(0.05)
    if idle is None:  # pragma: no cover - no /proc: the load average of the last minute
        try:
            return os.getloadavg()[0] <= cores - 1
        except OSError:
            return True
    return idle > 1.25


def _idle_cores(seconds: float) -> float | None:
    """How many cores, on average, were idle over *seconds* (all of the machine's, from ``/proc/stat``)."""
    import time

    def sample() -> tuple[int, int]:
        with open("/proc/stat", encoding="ascii") as fh:
            fields = [int(v) for v in fh.readline().split()[1:]]
        return sum(fields[:8]), fields[3] + fields[4]  # all jiffies but guests'; idle and iowait

    try:
        total, idle = sample()
        time.sleep(seconds)
        total_after, idle_after = sample()
    except (OSError, ValueError, IndexError):
        return None
    elapsed = total_after - total
    if elapsed <= 0:
        return None
    return (idle_after - idle) / elapsed * (os.cpu_count() or 1)
