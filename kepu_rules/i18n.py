"""Bilingual text: every message a user reads exists in Chinese and English."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


@dataclass(frozen=True, slots=True)
class Msg:
    """A message in both languages; rendered late so a UI can switch language without re-running."""

    zh: str
    en: str

    def render(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en

    def __add__(self, other: Msg) -> Msg:
        return Msg(self.zh + other.zh, self.en + other.en)

    @staticmethod
    def same(text: str) -> Msg:
        """A text that reads the same in both languages (a name, a number, a path)."""
        return Msg(text, text)


def join(parts: list[Msg], zh_sep: str = "、", en_sep: str = ", ") -> Msg:
    """Join messages with the separator each language uses in lists."""
    return Msg(zh_sep.join(p.zh for p in parts), en_sep.join(p.en for p in parts))


def normalize_lang(value: str | None, default: Lang = "zh") -> Lang:
    """Accept zh/en and the spellings users type (zh-CN, 中文, english)."""
    if not value:
        return default
    v = value.strip().lower()
    if v in ("zh", "zh-cn", "zh_cn", "cn", "chinese", "中文"):
        return "zh"
    if v in ("en", "en-us", "en_gb", "en-gb", "english", "英文"):
        return "en"
    raise ValueError(f"unknown language {value!r}: expected zh or en")
