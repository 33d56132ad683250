"""Progress of a long job on stderr: a live line on a terminal, plain lines in logs."""
from __future__ import annotations

import sys
import time


class Progress:
    """Progress on stderr: a live line on a terminal, a plain line now and then otherwise."""

    def __init__(self, stream=None, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.quiet = quiet
        self.count = 0
        self.start = self.last = time.perf_counter()

    def _say(self, text: str) -> None:
        if not self.quiet:
            self.stream.write(text)
            self.stream.flush()

    def stage(self, name: str) -> None:
        self.start = self.last = time.perf_counter()
        self._say(f"dtkg build: {name}\n")

    def tick(self) -> None:
        self.count += 1
        now = time.perf_counter()
        if self.tty and now - self.last >= 0.2:
            self._say(f"\r  {self.count} articles ({self.count / max(now - self.start, 1e-9):.0f}/s)")
            self.last = now
        elif not self.tty and (now - self.last >= 30 or self.count % 10000 == 0):
            self._say(f"  {self.count} articles ({self.count / max(now - self.start, 1e-9):.0f}/s)\n")
            self.last = now

    def done(self, message: str) -> None:
        self._say(("\r\x1b[K" if self.tty else "") + f"  {message}\n")
