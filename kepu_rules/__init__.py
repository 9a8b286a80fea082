"""kepu-rules: self-assessment of a district against the 全国科普示范区 criteria.

Importing this package is cheap: the parser, the plugins and openpyxl load on first use.
"""

from __future__ import annotations

__version__ = "0.1.0"
