"""Internal errors: a crash file with the traceback and the versions, and the one line that names it.

An exception that is not a `KepuError` is a bug of kepu's (or of a plugin's), never a verdict on the
district: `kepu` exits 3 (exitcodes.INTERNAL_ERROR) with one line on stderr, and the traceback goes
to a file a user can attach to a bug report. The file is written to the project's `.kepu/` folder
(next to kepu.yaml; a `.gitignore` there keeps crash files out of the dossier repository), else to
the system's temporary folder when there is no project or the project folder is read-only.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import shlex
import sys
import tempfile
import traceback
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from kepu_rules.i18n import Lang, Msg

CRASH_DIR = ".kepu"
#: Distributions whose versions a crash file lists: what kepu's behaviour depends on.
VERSIONED = ("kepu-rules", "lark", "pydantic", "pluggy", "click", "openpyxl", "duckdb", "textual")
_CONFIG_NAMES = ("kepu.yaml", "kepu.yml")
_MESSAGE_WIDTH = 160  # of the exception's text in the one line: the file holds all of it


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cwd() -> str:
    try:
        return os.getcwd()
    except OSError as err:  # the folder was deleted under us: that may even be the crash
        return f"unknown ({err})"


def crash_text(exc: BaseException, argv: Sequence[str] | None = None) -> str:
    """What a crash file holds: when, the command line, the versions, the traceback."""
    from kepu_rules import __version__

    lines = [
        "kepu internal error (a bug, not a problem of the input: please report it with this file)",
        f"time: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
        f"command: {shlex.join(list(argv if argv is not None else sys.argv))}",
        f"cwd: {_cwd()}",
        f"kepu: {__version__}",
        f"python: {sys.version.split()[0]} ({sys.executable})",
        f"platform: {platform.platform()}",
        *(f"{dist}: {_version(dist)}" for dist in VERSIONED if dist != "kepu-rules"),
        "",
        "".join(traceback.format_exception(exc)).rstrip("\n"),
    ]
    return "\n".join(lines) + "\n"


def project_folder(argv: Sequence[str]) -> Path | None:
    """The project a command line works on, read leniently (the crash may be in parsing it): the folder
    of `-c/--config FILE`, the `--batch DIR`, else the current folder when it holds a kepu.yaml."""
    args = list(argv)
    for i, arg in enumerate(args):
        for flag in ("-c", "--config", "--batch"):
            value = None
            if arg == flag and i + 1 < len(args):
                value = args[i + 1]
            elif arg.startswith(flag + "=") and flag.startswith("--"):
                value = arg.split("=", 1)[1]
            if value:
                path = Path(value)
                return path if flag == "--batch" or path.is_dir() else path.parent
    try:
        here = Path.cwd()
    except OSError:
        return None
    return here if any((here / name).is_file() for name in _CONFIG_NAMES) else None


def _stamp() -> str:
    # microseconds and the process id: two workers of a batch may crash in the same second
    return f"{dt.datetime.now(dt.UTC).strftime('%Y%m%d-%H%M%S-%f')}-{os.getpid()}"


def write_crash_file(exc: BaseException, project: Path | None = None,
                     argv: Sequence[str] | None = None) -> Path | None:
    """Write the crash file; its path, or None when no folder could take it (the traceback then goes
    to stderr as a last resort, so it is never lost)."""
    try:
        text = crash_text(exc, argv)
    except Exception:  # the crash report must not crash: the traceback alone is still worth keeping
        text = "".join(traceback.format_exception(exc))
    name = f"crash-{_stamp()}.txt"
    targets: list[tuple[Path, str]] = []
    if project is not None and project.is_dir():
        targets.append((project / CRASH_DIR, name))
    targets.append((Path(tempfile.gettempdir()), f"kepu-{name}"))
    for folder, filename in targets:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if folder.name == CRASH_DIR:
                ignore = folder / ".gitignore"
                if not ignore.exists():
                    ignore.write_text("# kepu's crash files: not part of the dossier\n*\n", encoding="utf-8")
            path = (folder / filename).absolute()  # the line names it wherever the user runs from
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    sys.stderr.write(text)
    return None


def summary(exc: BaseException) -> str:
    """The exception as one short line: its type and the first line of its text."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    if len(first) > _MESSAGE_WIDTH:
        first = first[: _MESSAGE_WIDTH - 1] + "…"
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def internal_error_message(what: str, path: Path | None) -> Msg:
    """The one line on stderr: what went wrong, and where the traceback is."""
    if path is None:
        return Msg(f"内部错误：{what}（这是 kepu 的缺陷，不是输入的问题；无法写入崩溃报告，详情已打印在上方）",
                   f"internal error: {what} (a bug in kepu, not in the input; no crash file could be written, "
                   f"the details are printed above)")
    return Msg(f"内部错误：{what}（这是 kepu 的缺陷，不是输入的问题；请报告此问题并附上 {path}）",
               f"internal error: {what} (a bug in kepu, not in the input; please report it with {path})")


def lang_of(argv: Sequence[str]) -> Lang:
    """`--lang` of a command line, read leniently; zh otherwise (as every command defaults)."""
    args = list(argv)
    for i, arg in enumerate(args):
        value = None
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value is not None:
            return "en" if value.strip().lower().startswith("en") else "zh"
    return "zh"


def report_internal_error(exc: BaseException, argv: Sequence[str] | None = None,
                          project: Path | None = None, during: Msg | None = None) -> str:
    """Write the crash file for an unexpected exception and return the one line to print; `during`
    says what was being done ("a plugin failed to load: ")."""
    args = list(argv if argv is not None else sys.argv[1:])
    folder = project if project is not None else project_folder(args)
    path = write_crash_file(exc, folder, [sys.argv[0], *args] if argv is not None else None)
    lang = lang_of(args)
    what = (during.render(lang) if during is not None else "") + summary(exc)
    return internal_error_message(what, path).render(lang)
