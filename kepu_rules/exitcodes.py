"""Exit codes of the `kepu` command: a contract CI pipelines rely on."""

from __future__ import annotations

PASS = 0
"""The assessment passes (or a lint/format run found nothing to report)."""
FAIL = 1
"""The assessment does not pass: a veto or required rule fails, or the score is under the pass mark."""
INPUT_ERROR = 2
"""The input is wrong: ruleset, config, data or waiver errors, printed as diagnostics."""
