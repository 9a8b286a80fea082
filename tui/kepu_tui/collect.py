"""Garbage collection around assessments: no full collection while one runs, one when the user is idle.

CPython's cyclic garbage collector runs a full (generation 2) collection each time the long-lived
objects have grown by a quarter, and it holds the GIL throughout. While an assessment builds its facts
(about a million objects for a district of 60,000 activities) those collections come again and again,
each longer than the last, and the UI thread waits for every one: 0.1–0.3 s each during a first
assessment of the `city` benchmark, 0.4–0.65 s during a reload (the previous assessment is still
alive then), and together a third of the assessment's time. No switch interval helps: the collector
runs in C and gives the GIL back only when it is done.

So while an assessment runs, full collections are put off (generation 0 and 1 collections still run:
they only look at young objects and take a few milliseconds). What the assessment leaves behind
(openpyxl's workbook, for one, is a web of reference cycles: ~185,000 objects for the city's ledger)
is collected once, by `IdleCollector.collect`, which the app calls when no key has been pressed for a
while (`IDLE`) — or anyway after `MAX_DELAY`, so that a user who never pauses does not pile up garbage.
That collection still looks at every object, the new assessment's included (about half a second at
city scale), but it comes once instead of a dozen times, and when nobody is waiting for a key.
"""

from __future__ import annotations

import gc
import threading
import time
from typing import Any

#: A generation-2 threshold that is never reached: it counts generation-1 collections.
_NEVER = 1_000_000_000

#: Seconds without input before the put-off collection runs, and the longest it waits for that.
IDLE = 2.0
MAX_DELAY = 30.0


class IdleCollector:
    """Puts off full collections while assessments run (`hold` / `release`, from any thread) and does
    the one that is owed once the outcome is on screen (`settle`) and the user has paused (`collect`,
    from the UI thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._saved: tuple[int, int, int] | None = None  # the thresholds to restore
        self._owed_since: float | None = None  # when the outcome of the last assessment was shown
        self._retired: tuple[Any, ...] = ()

    def hold(self) -> None:
        """An assessment starts: no full collection until the next `collect`."""
        with self._lock:
            self._running += 1
            if self._saved is None:
                threshold = gc.get_threshold()
                self._saved = (threshold[0], threshold[1], threshold[2])
                gc.set_threshold(threshold[0], threshold[1], _NEVER)

    def release(self) -> None:
        """The assessment is over (done, failed or cancelled)."""
        with self._lock:
            self._running -= 1

    def settle(self, *retired: Any) -> None:
        """Its outcome is on screen: the collection is owed, once the user pauses.

        `retired` are what the outcome replaced (the previous assessment and report): they are let go
        at the collection. Freeing a city's assessment takes ~0.1 s of the UI thread, the GIL held,
        and better not just as the new report comes up; a retired one not yet let go goes now.
        """
        with self._lock:
            if self._saved is not None:
                self._owed_since = time.monotonic()
            previous, self._retired = self._retired, retired if self._saved is not None else ()
        del previous

    @property
    def owed(self) -> bool:
        """A collection was put off, the outcome is shown and no assessment is running now."""
        return self._saved is not None and self._owed_since is not None and self._running == 0

    def due(self, idle_for: float) -> bool:
        """Whether to collect now, no key having been pressed for `idle_for` seconds: a pause of `IDLE`
        seconds since the outcome was shown (not right away: the user is about to read it), or anyway
        `MAX_DELAY` seconds after."""
        if not self.owed or self._owed_since is None:
            return False
        shown_for = time.monotonic() - self._owed_since
        return min(idle_for, shown_for) >= IDLE or shown_for >= MAX_DELAY

    def collect(self) -> float:
        """The put-off full collection, then the usual thresholds again; the seconds it took."""
        with self._lock:
            if self._saved is None or self._running:
                return 0.0
            start = time.perf_counter()
            self._retired = ()
            gc.collect()
            gc.set_threshold(*self._saved)
            self._saved = None
            self._owed_since = None
            return time.perf_counter() - start

    def close(self) -> None:
        """The app is leaving: the usual thresholds again, without the collection."""
        with self._lock:
            if self._saved is not None:
                gc.set_threshold(*self._saved)
                self._saved = None
            self._owed_since = None
            self._retired = ()
