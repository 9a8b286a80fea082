"""kepu_tui: the terminal UI of kepu-rules (`kepu tui`), built on the core's public API only."""

from __future__ import annotations
