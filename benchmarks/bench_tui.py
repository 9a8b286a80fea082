#!/usr/bin/env python3
"""How quickly does `kepu tui` open, and does it answer keys while a large assessment runs?

    python benchmarks/bench_tui.py                        # everything, data in a temporary folder
    python benchmarks/bench_tui.py --data /tmp/kb         # keep and reuse the generated projects
    python benchmarks/bench_tui.py --only open            # one part: open, pty, large, detail (repeatable)
    options: --repeat N  runs of each measurement (default 3);  --size WxH  screen (default 100x32)
             --plain     without the put-off garbage collection and the lazily filled item table

It drives the app headless with Textual's `App.run_test()` (the app from `kepu_tui.app.make_app`, as
the tests build it) and prints:

- **open**: on examples/demo-district, in a fresh interpreter each time, the time from the app's start
  (and from the interpreter's start, imports included) to the first complete assessment on screen (the
  summary bar filled in), median of N;
- **pty**: the real `kepu tui` in a pseudo-terminal on a copy of the example: wall time from exec to
  the first frame and to the first frame showing the report (the summary's 得分), median of N;
- **large**: on `city` (`generate.py city`: 3,000 communities, 60,000 activities; `kepu check` takes
  ~6 s there), keys sent one every 0.1 s while the first assessment runs (f1, esc, tab, shift+tab: the
  tree is behind the loading indicator) and while a reload (`r`) runs (↓↓↓↑↑↑ in the tree, f1, esc,
  tab, shift+tab). For each key, the time until the app has handled it (its effect shows in the app's
  state: the cursor moved and the detail pane shows the rule under it, the focus moved, the help is
  shown or gone) and until the next frame; the event-loop lag (how late a 5 ms sleep wakes up) while
  the assessment runs; `l` (the report re-rendered in the other language); and the garbage
  collection the app puts off until the user is idle;
- **detail**: on `city-gaps`, the same city with 90% of its communities without a Science Day
  activity (2,700 failing items on B1): ↓ in the tree onto the rule with the most failing items until
  its detail is shown, enter into its item table, moves in the table (↓ ↑ pgdn ctrl+end ctrl+home, to
  the very end), enter on an item (its drill-down), ↓ off the rule.

Wall times on a shared machine are noisy: medians are printed, with p90 and max over every sample.
Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import gc
import json
import os
import pty
import random
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
KEPU = str(Path(PYTHON).with_name("kepu"))
EXAMPLE = ROOT / "examples" / "demo-district"
PARTS = ("open", "pty", "large", "detail")

if TYPE_CHECKING:
    from kepu_tui.app import KepuApp

Predicate = Callable[[], bool]
T = TypeVar("T")


# --- data ----------------------------------------------------------------------------------------


def ensure_data(data: Path, seed: int) -> tuple[Path, Path]:
    """`city` as `generate.py city` writes it, and `city-gaps`; reused when already there."""
    sys.path.insert(0, str(HERE))
    import generate

    city, gaps = data / "city", data / "city-gaps"
    if not (city / "kepu.yaml").exists():
        t0 = time.perf_counter()
        generate.generate("city", city, seed)
        print(f"generated {city} in {time.perf_counter() - t0:.1f} s")
    if not (gaps / "kepu.yaml").exists():
        t0 = time.perf_counter()
        (_, spec), = generate.specs_for("city", seed)
        rng = random.Random(seed)
        quality = generate._replace(generate.make_quality("good", rng, spec.streets), science_day=0.1)
        generate.write_district(generate.DistrictSpec(spec.name, spec.seed, spec.streets, spec.communities,
                                                      spec.activities, "weak", quality), gaps)
        print(f"generated {gaps} in {time.perf_counter() - t0:.1f} s")
    return city, gaps


# --- small statistics ------------------------------------------------------------------------------


def ms(seconds: float | None) -> str:
    return "   –   " if seconds is None else f"{seconds * 1000:7.0f}"


def describe(samples: list[float]) -> str:
    """`median … p90 … max … (n)` in milliseconds."""
    if not samples:
        return "no samples"
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return (f"median {ms(statistics.median(ordered))} ms, p90 {ms(p90)} ms, max {ms(ordered[-1])} ms "
            f"({len(ordered)} samples)")


# --- driving the app -------------------------------------------------------------------------------

_CHARS = {"tab": "\t", "l": "l", "r": "r", "enter": "\r", "escape": "\x1b"}


@dataclass
class Probe:
    """Timestamps of the frames the app composes, and event-loop lag samples, for one app."""

    app: KepuApp
    frames: list[float] = field(default_factory=list)
    lags: list[tuple[float, float]] = field(default_factory=list)  # (when, how late)
    _stop: bool = False

    def install(self) -> None:
        original = self.app._display

        def display(screen: Any, renderable: Any) -> None:
            if renderable is not None:
                self.frames.append(time.perf_counter())
            original(screen, renderable)

        self.app._display = display  # type: ignore[method-assign]

    async def watch_lag(self, period: float = 0.005) -> None:
        while not self._stop:
            start = time.perf_counter()
            await asyncio.sleep(period)
            self.lags.append((start, time.perf_counter() - start - period))

    def lag_between(self, start: float, end: float) -> list[float]:
        return [lag for when, lag in self.lags if start <= when <= end]

    async def next_frame(self, after: float, timeout: float = 3.0) -> float | None:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            later = [f for f in self.frames if f > after]
            if later:
                return later[0]
            await asyncio.sleep(0.001)
        return None


async def until(predicate: Predicate, timeout: float = 60.0, step: float = 0.001) -> float | None:
    """Poll `predicate` on the event loop; the time it became true, or None after `timeout`."""
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            return None
        await asyncio.sleep(step)
    return time.perf_counter()


async def key(probe: Probe, name: str, done: Callable[[], Predicate], timeout: float = 5.0
              ) -> tuple[float | None, float | None]:
    """Send one key as the terminal driver would; (processed, next frame) latency in seconds.

    `done()` is called before the key is sent and returns the predicate that tells it was handled.
    """
    from textual import events

    app = probe.app
    predicate = done()
    sent = time.perf_counter()
    app.post_message(events.Key(name, _CHARS.get(name)))
    processed = await until(predicate, timeout)
    if processed is None:
        return None, None
    frame = await probe.next_frame(processed)
    return processed - sent, (frame - sent) if frame is not None else None


def tree_moved(app: KepuApp) -> Callable[[], Predicate]:
    """The tree's cursor moved and the detail pane shows the rule under it."""
    from kepu_tui.widgets.rule_detail import RuleDetail
    from kepu_tui.widgets.rule_tree import RuleTree

    def done() -> Predicate:
        tree = app.main.query_one(RuleTree)
        detail = app.main.query_one(RuleDetail)
        before = tree.cursor_line

        def check() -> bool:
            shown = detail.result.id if detail.result is not None else None
            return tree.cursor_line != before and shown == tree.current_rule

        return check

    return done


def focus_moved(app: KepuApp) -> Callable[[], Predicate]:
    def done() -> Predicate:
        before = app.focused
        return lambda: app.focused is not before

    return done


def screen_is(app: KepuApp, kind: str) -> Callable[[], Predicate]:
    def done() -> Predicate:
        return lambda: type(app.screen).__name__ == kind

    return done


def _isolated(scenario: Coroutine[Any, Any, T]) -> T:
    """Run one scenario; then free the app it ran (a closed app is a web of reference cycles holding a
    whole assessment) so that it does not weigh on the next run's garbage collections."""
    try:
        return asyncio.run(scenario)
    finally:
        gc.collect()


async def start(app: KepuApp, size: tuple[int, int]) -> Any:
    """Enter `app.run_test(size)`; the caller leaves it through the returned context's __aexit__."""
    context = app.run_test(size=size)
    pilot = await context.__aenter__()
    return context, pilot


# --- open: demo district, a fresh interpreter per run -------------------------------------------------


def open_child(config: str, width: int, height: int) -> None:
    """In a fresh interpreter: import, run the app headless until the first report is shown, print JSON."""
    begun = time.time()
    t0 = time.perf_counter()
    from kepu_tui.app import make_app

    imported = time.perf_counter() - t0

    async def scenario() -> dict[str, float]:
        app = make_app(Path(config), None, watch_interval=None)
        created = time.perf_counter()
        async with app.run_test(size=(width, height)) as pilot:
            probe = Probe(app)
            probe.install()
            shown = await until(lambda: app.assessments >= 1 or app.error is not None, timeout=60)
            assert shown is not None and app.error is None, "the example did not load"
            frame = await probe.next_frame(shown)
            await pilot.pause()
        assert app.first_shown is not None
        return {"import": imported, "shown": app.first_shown, "frame": (frame or shown) - created,
                "process_to_shown": time.time() - (time.perf_counter() - shown) - begun}

    result = asyncio.run(scenario())
    result["begun"] = begun
    print(json.dumps(result))


def bench_open(repeat: int, size: tuple[int, int], plain: bool = False) -> None:
    print(f"\n== open: examples/demo-district, headless {size[0]}×{size[1]}, fresh interpreter per run ==")
    runs = []
    for _ in range(repeat):
        spawned = time.time()
        command = [PYTHON, __file__, "--open-child", str(EXAMPLE / "kepu.yaml"), str(size[0]), str(size[1])]
        proc = subprocess.run([*command, *(["--plain"] if plain else [])], cwd=ROOT, capture_output=True, text=True,
                              check=True)
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        result["spawn_to_shown"] = result["process_to_shown"] + (result["begun"] - spawned)
        runs.append(result)

    def row(label: str, key: str) -> None:
        values = [r[key] for r in runs]
        print(f"  {label:<46} {ms(statistics.median(values))} ms median  "
              f"(min {ms(min(values)).strip()}, max {ms(max(values)).strip()})")

    row("import kepu_tui.app", "import")
    row("app start → first report in the summary bar", "shown")
    row("app start → that frame composed", "frame")
    row("python start → first report (imports included)", "spawn_to_shown")


# --- pty: the real `kepu tui` ----------------------------------------------------------------------


def _pty_run(project: Path, size: tuple[int, int], timeout: float = 60.0) -> tuple[float | None, float | None]:
    """(first frame, first frame with the report) seconds after exec of `kepu tui` in a pseudo-terminal."""
    cols, rows = size
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal of the given size, then `kepu tui`
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.chdir(project)
            env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows)}
            os.execve(KEPU, [KEPU, "tui"], env)
        finally:
            os._exit(127)
    seen = b""
    first = report = None
    try:
        while time.perf_counter() - started < timeout and report is None:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            text = seen.decode("utf-8", "ignore")
            now = time.perf_counter() - started
            if first is None and ("正在评估" in text or "得分" in text):
                first = now
            if "得分" in text:
                report = now
        os.write(fd, b"q")
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline:
            if os.waitpid(pid, os.WNOHANG) != (0, 0):
                break
            with contextlib.suppress(OSError):
                if select.select([fd], [], [], 0.05)[0]:
                    os.read(fd, 65536)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    finally:
        os.close(fd)
    return first, report


def bench_pty(repeat: int, size: tuple[int, int]) -> None:
    print(f"\n== pty: `kepu tui` in a {size[0]}×{size[1]} pseudo-terminal on examples/demo-district ==")
    with tempfile.TemporaryDirectory(prefix="kepu-tui-bench-") as tmp:
        project = Path(tmp) / "demo-district"
        shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__", "kepu-report.*"))
        runs = [_pty_run(project, size) for _ in range(repeat)]
    firsts = [f for f, _ in runs if f is not None]
    reports = [r for _, r in runs if r is not None]
    if not reports:
        print("  the report never appeared on the terminal")
        return
    print(f"  exec → first frame                             {ms(statistics.median(firsts))} ms median  "
          f"(min {ms(min(firsts)).strip()}, max {ms(max(firsts)).strip()})")
    print(f"  exec → first frame with the report             {ms(statistics.median(reports))} ms median  "
          f"(min {ms(min(reports)).strip()}, max {ms(max(reports)).strip()})")


# --- large: keys while the city's assessment runs ------------------------------------------------------


@dataclass
class Keys:
    processed: list[float] = field(default_factory=list)
    framed: list[float] = field(default_factory=list)
    missed: int = 0

    def add(self, latency: tuple[float | None, float | None]) -> None:
        processed, framed = latency
        if processed is None:
            self.missed += 1
            return
        self.processed.append(processed)
        if framed is not None:
            self.framed.append(framed)


def _loading_keys(app: KepuApp) -> Iterator[tuple[str, Callable[[], Predicate]]]:
    """While the first assessment runs: the tree is behind the loading indicator; help and focus work.
    (`f1` rather than `?` for the help: once tab reaches the search box, `?` would be typed into it.)"""
    while True:
        yield "f1", screen_is(app, "HelpScreen")
        yield "escape", screen_is(app, "MainScreen")
        yield "tab", focus_moved(app)
        yield "shift+tab", focus_moved(app)


def _browsing_keys(app: KepuApp) -> Iterator[tuple[str, Callable[[], Predicate]]]:
    """While a reload runs: move in the tree (the detail pane follows), open and close the help, move
    the focus to the detail pane and back."""
    while True:
        for name in ("down", "down", "down", "up", "up", "up"):
            yield name, tree_moved(app)
        yield "f1", screen_is(app, "HelpScreen")
        yield "escape", screen_is(app, "MainScreen")
        yield "tab", focus_moved(app)
        yield "shift+tab", focus_moved(app)


async def _keys_until(probe: Probe, keys: Iterator[tuple[str, Callable[[], Predicate]]], stop: Predicate,
                      into: Keys, gap: float = 0.1) -> None:
    """Send keys one after the other, `gap` seconds apart (a person reading), until `stop()`."""
    while not stop():
        name, done = next(keys)
        into.add(await key(probe, name, done))
        await asyncio.sleep(gap)


@dataclass
class LargeRun:
    shown: float  # app start → first report on screen
    reload: float  # `r` → the new report on screen
    loading: Keys
    reloading: Keys
    lag_loading: list[float]
    lag_reloading: list[float]
    language: float | None
    collections: list[float]  # the put-off full garbage collections, once idle


def _record_collections(app: KepuApp, into: list[float]) -> None:
    collector = app.collector
    original = collector.collect

    def collect() -> float:
        seconds = original()
        if seconds:
            into.append(seconds)
        return seconds

    collector.collect = collect  # type: ignore[method-assign]


async def large_scenario(config: Path, size: tuple[int, int]) -> LargeRun:
    from kepu_tui.app import make_app
    from kepu_tui.widgets.rule_tree import RuleTree

    app = make_app(config, None)  # the live-reload watcher on, as `kepu tui` runs
    collections: list[float] = []
    _record_collections(app, collections)
    context, pilot = await start(app, size)
    probe = Probe(app)
    probe.install()
    lag_task = asyncio.create_task(probe.watch_lag())
    try:
        t0 = time.perf_counter()
        loading = Keys()
        await _keys_until(probe, _loading_keys(app), lambda: app.assessments >= 1 or app.error is not None, loading)
        await until(lambda: app.assessments >= 1 or app.error is not None)
        if app.error is not None or app.crash:
            raise SystemExit(f"{config}: the assessment failed:\n{app.error or app.crash}")
        t1 = time.perf_counter()
        if type(app.screen).__name__ != "MainScreen":
            app.pop_screen()
        app.main.query_one(RuleTree).focus()
        await pilot.pause(0.4)

        reloading = Keys()
        await key(probe, "r", lambda: lambda: True)
        t2 = time.perf_counter()
        await _keys_until(probe, _browsing_keys(app), lambda: app.assessments >= 2 or app.error is not None,
                          reloading)
        await until(lambda: app.assessments >= 2)
        t3 = time.perf_counter()
        await pilot.pause(0.3)
        lang = app.lang
        language, _ = await key(probe, "l", lambda: lambda: app.lang != lang)
        # No key for a while: the collection put off during the reload runs.
        await until(lambda: not app.collector.owed, timeout=5)
        assert app.first_shown is not None
        return LargeRun(app.first_shown, t3 - t2, loading, reloading, probe.lag_between(t0, t1),
                        probe.lag_between(t2, t3), language, collections)
    finally:
        probe._stop = True
        await lag_task
        await context.__aexit__(None, None, None)


def _spread(values: list[float]) -> str:
    return (f"{ms(statistics.median(values))} ms median (min {ms(min(values)).strip()}, "
            f"max {ms(max(values)).strip()}, {len(values)} runs)")


def bench_large(city: Path, repeat: int, size: tuple[int, int]) -> None:
    print(f"\n== large: {city} (3,000 communities, 60,000 activities), headless {size[0]}×{size[1]} ==")
    runs = [_isolated(large_scenario(city / "kepu.yaml", size)) for _ in range(repeat)]
    print(f"  app start → first report          {_spread([r.shown for r in runs])}")
    print(f"  r → new report (reload)           {_spread([r.reload for r in runs])}")
    for label, pick in (("the first assessment (f1 esc tab shift+tab)", lambda r: r.loading),
                        ("the reload (↓↓↓↑↑↑ in the tree, f1 esc tab shift+tab)", lambda r: r.reloading)):
        keys = Keys()
        for r in runs:
            part = pick(r)
            keys.processed += part.processed
            keys.framed += part.framed
            keys.missed += part.missed
        print(f"  keys during {label}:")
        print(f"    handled                         {describe(keys.processed)}"
              + (f", {keys.missed} not handled within 5 s" if keys.missed else ""))
        print(f"    next frame                      {describe(keys.framed)}")
    for label, pick_lag in (("first assessment", lambda r: r.lag_loading), ("reload", lambda r: r.lag_reloading)):
        lags = [lag for r in runs for lag in pick_lag(r)]
        stalls = [lag for lag in lags if lag > 0.1]
        print(f"  event-loop lag, {label:<17} {describe(lags)}")
        print(f"    stalls over 100 ms              {len(stalls) / len(runs):.1f} per run, "
              f"{sum(stalls) / len(runs) * 1000:.0f} ms per run in all")
    languages = [r.language for r in runs if r.language is not None]
    if languages:
        print(f"  l (report re-rendered in English) {describe(languages)}")
    collections = [c for r in runs for c in r.collections]
    if collections:
        print(f"  put-off garbage collection (idle) {describe(collections)}")


# --- detail: the rule with thousands of failing items --------------------------------------------------


@dataclass
class DetailRun:
    rule: str
    items: int
    rows: int  # rows in the item table once the cursor has reached the end of it
    land: float | None
    land_frame: float | None
    enter: float | None
    moves: list[float]
    drill: float | None
    leave: float | None


async def detail_scenario(config: Path, size: tuple[int, int]) -> DetailRun:
    from textual.widgets import DataTable

    from kepu_tui.app import make_app
    from kepu_tui.widgets.rule_detail import RuleDetail
    from kepu_tui.widgets.rule_tree import RuleTree

    app = make_app(config, None, watch_interval=None)
    context, pilot = await start(app, size)
    probe = Probe(app)
    probe.install()
    try:
        await until(lambda: app.assessments >= 1 or app.error is not None, timeout=120)
        assert app.report is not None, "the assessment failed"
        biggest = max(app.report.results, key=lambda r: len(r.failing) + len(r.unknown_items))
        tree = app.main.query_one(RuleTree)
        detail = app.main.query_one(RuleDetail)
        table = app.main.query_one("#items", DataTable)
        order = tree.rule_ids
        before = order[order.index(biggest.id) - 1] if order.index(biggest.id) else None
        tree.focus()
        if before is not None:
            tree.select_rule(before)
            await until(lambda: detail.result is not None and detail.result.id == before)
        await pilot.pause(0.3)
        # The cursor lands on the rule from the one above it (a section line may lie between).
        land = land_frame = None
        while detail.result is None or detail.result.id != biggest.id:
            land, land_frame = await key(probe, "down", tree_moved(app), timeout=60)
            if land is None:
                break
        await pilot.pause(0.3)
        enter, _ = await key(probe, "enter", lambda: lambda: app.focused is table, timeout=60)
        await pilot.pause(0.1)
        moves = []

        def row_moved() -> Predicate:
            row = table.cursor_row
            return lambda: table.cursor_row != row

        for name in ("down", "down", "down", "pagedown", "pagedown", "ctrl+end", "up", "ctrl+home", "down", "ctrl+end"):
            latency, _ = await key(probe, name, row_moved, timeout=10)
            if latency is not None:
                moves.append(latency)
            await asyncio.sleep(0.05)
        for _ in range(1000):  # ctrl+end until the cursor stays put: the whole table, however it fills
            latency, _ = await key(probe, "ctrl+end", row_moved, timeout=1)
            if latency is None:
                break
            moves.append(latency)
        rows = table.row_count
        await key(probe, "ctrl+home", row_moved, timeout=10)
        # enter on an item: its drill-down screen (own row, related rows)
        drill, _ = await key(probe, "enter", screen_is(app, "ItemScreen"), timeout=60)
        await pilot.pause(0.2)
        await key(probe, "escape", screen_is(app, "MainScreen"))
        await key(probe, "escape", lambda: lambda: app.focused is tree)
        leave, _ = await key(probe, "down", tree_moved(app), timeout=60)
        return DetailRun(biggest.id, len(biggest.failing) + len(biggest.unknown_items), rows, land,
                         land_frame, enter, moves, drill, leave)
    finally:
        await context.__aexit__(None, None, None)


def bench_detail(gaps: Path, repeat: int, size: tuple[int, int]) -> None:
    print(f"\n== detail: {gaps} (90% of 3,000 communities without a Science Day activity), "
          f"headless {size[0]}×{size[1]} ==")
    runs = [_isolated(detail_scenario(gaps / "kepu.yaml", size)) for _ in range(repeat)]
    first = runs[0]
    print(f"  rule {first.rule}: {first.items:,} failing items; {first.rows:,} rows in its table at the end")

    def row(label: str, values: list[float | None]) -> None:
        print(f"  {label:<42} {describe([v for v in values if v is not None])}")

    row("↓ onto the rule: detail shown", [r.land for r in runs])
    row("↓ onto the rule: next frame", [r.land_frame for r in runs])
    row("enter: into its items table", [r.enter for r in runs])
    row("keys in the table (↓ ↑ pgdn ctrl+end…)", [m for r in runs for m in r.moves])
    row("enter on an item: its drill-down", [r.drill for r in runs])
    row("↓ off the rule: next rule shown", [r.leave for r in runs])


def without_fixes() -> None:
    """`--plain`: the TUI without what keeps it responsive on large data (full garbage collections put
    off while an assessment runs, long item tables filled as the cursor gets there), to see what they buy."""
    from kepu_tui import collect
    from kepu_tui.widgets import rule_detail

    collect.IdleCollector.hold = lambda self: None  # type: ignore[method-assign]
    collect.IdleCollector.release = lambda self: None  # type: ignore[method-assign]
    rule_detail.FIRST_ROWS = 10**9


# --- main ----------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    sys.path.insert(0, str(ROOT))
    if argv[:1] == ["--open-child"]:
        if argv[4:5] == ["--plain"]:
            without_fixes()
        open_child(argv[1], int(argv[2]), int(argv[3]))
        return 0
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--data", type=Path, default=None, help="keep the generated projects here and reuse them")
    ap.add_argument("--only", action="append", choices=PARTS, help="run only these parts")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement (default 3)")
    ap.add_argument("--size", default="100x32", help="screen size, columns x rows (default 100x32)")
    ap.add_argument("--seed", type=int, default=20261122, help="generator seed")
    ap.add_argument("--plain", action="store_true",
                    help="turn off the put-off garbage collection and the lazily filled item table")
    args = ap.parse_args(argv)
    if args.plain:
        without_fixes()
    width, height = (int(v) for v in args.size.lower().split("x"))
    size = (width, height)
    parts = args.only or list(PARTS)
    import textual

    print(f"python {sys.version.split()[0]}, textual {textual.__version__}, on {os.cpu_count()} cores; "
          f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}; switch interval "
          f"{sys.getswitchinterval() * 1000:.0f} ms")
    if "open" in parts:
        bench_open(args.repeat, size, args.plain)
    if "pty" in parts:
        bench_pty(args.repeat, size)
    if "large" in parts or "detail" in parts:
        temp = None
        data = args.data
        if data is None:
            temp = tempfile.TemporaryDirectory(prefix="kepu-bench-tui-")
            data = Path(temp.name)
        # lark's logger gets a StreamHandler on the stderr of the moment it is imported: imported first
        # inside an app (by its assessment), it would hold that app's print capture, and the whole app,
        # forever, weighing on every later run's garbage collections.
        import lark  # noqa: F401

        try:
            city, gaps = ensure_data(data, args.seed)
            if "large" in parts:
                bench_large(city, args.repeat, size)
            if "detail" in parts:
                bench_detail(gaps, args.repeat, size)
        finally:
            if temp is not None:
                temp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
