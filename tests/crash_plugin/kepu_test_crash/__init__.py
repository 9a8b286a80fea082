"""A test-only kepu plugin that plants a bug, loaded by the subprocess tests through the real entry-point
mechanism (tests/test_crash.py writes its dist-info): an internal error must exit 3 with a crash file.

- a `crash` source whose `read` raises, for `kepu check` and `kepu check --batch` on a project using it
  (with `how: exit`, the process dies instead, as a batch worker killed by the system would);
- with KEPU_TEST_CRASH=import, importing the plugin fails (every `kepu` start loads it);
- with KEPU_TEST_CRASH=tui-screen, the TUI's main screen raises when it shows a report: an exception in
  the UI thread itself, not in the assessment worker.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from kepu_rules.facts.table import SourceData
from kepu_rules.hookspecs import hookimpl
from kepu_rules.i18n import Msg
from kepu_rules.sources import Source, SourceContext, SourceOptions

PLANTED = "planted by kepu_test_crash"


class CrashOptions(SourceOptions):
    how: str = "raise"


class CrashSource(Source):
    """Reads nothing: raises as a buggy source plugin would, or ends the process."""

    name = "crash"
    description = Msg("测试用：读取时抛出异常", "test only: raises when read")
    Options = CrashOptions

    def read(self, options: SourceOptions, context: SourceContext) -> SourceData:
        assert isinstance(options, CrashOptions)
        if options.how == "exit":
            os._exit(70)
        raise RuntimeError(f"{PLANTED}\nsecond line of the message")


@hookimpl
def register_sources(register: Callable[[type[Any]], None]) -> None:
    register(CrashSource)


def _break_the_main_screen() -> None:
    from kepu_tui.screens.main import MainScreen

    def show_report(self: MainScreen, *args: object, **kwargs: object) -> None:
        raise ZeroDivisionError(PLANTED)

    MainScreen.show_report = show_report  # type: ignore[method-assign]


if os.environ.get("KEPU_TEST_CRASH") == "import":
    raise ImportError(f"{PLANTED}: cannot import a dependency")
if os.environ.get("KEPU_TEST_CRASH") == "tui-screen":
    _break_the_main_screen()
