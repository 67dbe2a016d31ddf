"""The blocks a report is made of: headings, text, notes, tables, figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from toolkit.report._format import Lang, w

__all__ = ["Block", "fold_notes"]


@dataclass
class Block:
    """One block of a report, in order; tables and figures carry their number."""

    kind: str  # heading | text | table | figure | note
    text: str = ""
    level: int = 1
    table: Any = None  # a toolkit.report.Table for kind "table"
    png: bytes | None = None
    width_cm: float = 15.0
    number: int | None = None
    heading_number: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def heading_text(self) -> str:
        """A heading with its number: ``1.2 数据来源``."""
        return f"{self.heading_number} {self.text}" if self.heading_number else self.text

    def figure_title(self, lang: Lang) -> str:
        """A figure caption with its number: ``图1 …`` / ``Figure 1. …``."""
        if lang == "zh":
            return f"{w('figure', 'zh')}{self.number} {self.text}".rstrip()
        return f"{w('figure', 'en')}{self.number}. {self.text}".rstrip()


def fold_notes(blocks: Sequence[Block], lang: Lang) -> list[Block]:
    """The blocks with each note that directly follows a table moved into that table's notes.

    A note written right after a table (``report.table(...).note(...)``) is the
    table's 注: it belongs directly under its bottom rule, in the table's own
    note line, not as a paragraph that may drift to the next page.
    """
    out: list[Block] = []
    prefix = w("note", lang).strip()
    for block in blocks:
        last = out[-1] if out else None
        if block.kind == "note" and last is not None and last.kind == "table" and \
                last.table is not None:
            text = block.text.strip()
            if text.startswith(prefix):
                text = text[len(prefix):].strip()
            out[-1] = replace(last, table=last.table.with_notes([text]))
        else:
            out.append(block)
    return out
