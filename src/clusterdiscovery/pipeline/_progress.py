"""The stages of :func:`~clusterdiscovery.discover`: their clock and progress bar."""

from __future__ import annotations

import time
from contextlib import contextmanager

__all__ = ["STAGES", "StageClock"]

#: the stages timed (``study.timings``) and shown on the bar, in order
STAGES = ["data", "features", "models", "stability", "profile", "describe", "write"]


class _NoBar:
    def set_description(self, _):
        pass

    def update(self, _):
        pass

    def close(self):
        pass


def progress_bar(progress):
    """A tqdm bar over :data:`STAGES` when ``progress``, else one that shows nothing."""
    if not progress:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=len(STAGES), unit="stage")


class StageClock:
    """Seconds spent in each stage (``timings``, by stage name), shown on the bar.

    ``with clock.stage(name):`` names the bar after the stage, times it and moves the bar
    on when the stage ends; a stage that raises is neither timed nor counted.
    """

    def __init__(self, progress):
        self.timings: dict[str, float] = {}
        self._bar = progress_bar(progress)

    @contextmanager
    def stage(self, name):
        self._bar.set_description(name)
        self.timings[name] = time.perf_counter()
        yield
        self.timings[name] = time.perf_counter() - self.timings[name]
        self._bar.update(1)

    def close(self):
        self._bar.close()
