"""The garbage collector's settings for a one-shot `kepu` command."""

from __future__ import annotations

import gc

#: A generation-2 threshold that is never reached (it counts generation-1 collections).
NEVER = 1_000_000_000


def defer_full_collections() -> None:
    """No automatic full collection for the rest of this process; young generations are still collected.

    An assessment builds its facts as hundreds of thousands of long-lived objects (a city's ledgers:
    about a million). CPython runs a full collection whenever the long-lived objects have grown by a
    quarter, so while the facts are read it traverses them again and again, each time longer: a third
    of `kepu check`'s time at city scale (4.4 s, 3.0 s without). A command assesses once and exits, so
    the cycles it leaves (openpyxl's workbook, ~25 MB at city scale) are better left to the exit.
    Code that assesses many projects in one process collects between them (`kepu_rules.batch`).
    """
    gen0, gen1, _ = gc.get_threshold()
    gc.set_threshold(gen0, gen1, NEVER)
