"""Progress on a terminal for the long imports (import_hcpcs, import_ndc): one line, rewritten
in place; nothing when the output is a file or a pipe (their logs get a plain summary)."""

from __future__ import annotations

from typing import Any


class Progress:
    """A one-line progress bar on a terminal; nothing when the output is a file or a pipe.

    `update(done)` draws `[#####.....]  42% done/total` plus an optional note ("kept 10,
    rejected 2"); `status(text)` shows a line of text where the total is not known (rows read).
    """

    WIDTH = 30

    def __init__(self, out: Any, total: int = 0, *, enabled: bool) -> None:
        self.out, self.total, self.enabled, self.shown = out, total, enabled, -1
        self.width = 0

    def _draw(self, text: str) -> None:
        padding = " " * max(0, self.width - len(text))
        self.width = len(text)
        self.out.write(f"\r{text}{padding}", ending="")
        self.out.flush()

    def update(self, done: int, note: str = "") -> None:
        if not self.enabled or self.total == 0:
            return
        percent = done * 100 // self.total
        if percent == self.shown and done != self.total:
            return
        self.shown = percent
        filled = self.WIDTH * done // self.total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self._draw(f"[{bar}] {percent:3d}% {done}/{self.total}" + (f"  {note}" if note else ""))

    def status(self, text: str) -> None:
        if self.enabled:
            self.shown = max(self.shown, 0)
            self._draw(text)

    def restart(self, total: int) -> None:
        """Start a new bar (a next phase) on the same line."""
        self.total, self.shown = total, -1

    def close(self) -> None:
        if self.enabled and (self.shown >= 0 or self.width):
            self.out.write("")
            self.shown, self.width = -1, 0
