"""Exit codes of the `kepu` command: a contract CI pipelines rely on."""

from __future__ import annotations

PASS = 0
"""The assessment passes (or a lint/format run found nothing to report)."""
FAIL = 1
"""The assessment does not pass: a veto or required rule fails, or the score is under the pass mark.
Also `kepu lint --strict` when it found warnings but no errors, and `kepu fmt --check` when a file is
not formatted: the check ran on good input and its answer is no."""
INPUT_ERROR = 2
"""The input is wrong: ruleset, config, data or waiver errors, printed as diagnostics (`kepu lint`: any error)."""
INTERNAL_ERROR = 3
"""Something went wrong inside kepu (or a plugin), not in the input: an unexpected exception. One line on
stderr names the crash file holding the traceback and the versions (kepu_rules.crash); never a verdict."""
INTERRUPTED = 130
"""The run was interrupted (Ctrl-C): nothing was decided; 128 + SIGINT, as shells report it."""
