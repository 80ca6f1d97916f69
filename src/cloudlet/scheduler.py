"""One scheduler for all timed work (visibility timeouts, delays, retries, pollers).

Timers live in one heap served by one asyncio task. Time is wall-clock time plus an offset that
tests can advance (``POST /_cloudlet/time/advance``), so hour-long timers fire in a test at once.
Services read the time through ``scheduler.now()`` so their timestamps move with the offset.
"""
from __future__ import annotations

import asyncio
import heapq
import inspect
import itertools
import logging
import time
from typing import Any, Callable

log = logging.getLogger("cloudlet.scheduler")


class Timer:
    __slots__ = ("when", "callback", "args", "cancelled")

    def __init__(self, when: float, callback: Callable, args: tuple):
        self.when, self.callback, self.args, self.cancelled = when, callback, args, False

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler:
    def __init__(self):
        self.offset = 0.0
        self._heap: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        self._clock_listeners: list[Callable[[], Any]] = []

    def now(self) -> float:
        return time.time() + self.offset

    def call_at(self, when: float, callback: Callable, *args) -> Timer:
        timer = Timer(when, callback, args)
        heapq.heappush(self._heap, (when, next(self._seq), timer))
        if self._wake is not None and self._heap[0][2] is timer:
            self._wake.set()
        return timer

    def call_later(self, delay: float, callback: Callable, *args) -> Timer:
        return self.call_at(self.now() + max(0.0, delay), callback, *args)

    def every(self, interval: float, callback: Callable, *args) -> Timer:
        """Run callback every interval seconds; cancel the returned timer to stop."""
        handle = Timer(0, callback, args)

        async def tick():
            if handle.cancelled:
                return
            try:
                result = callback(*args)
                if inspect.isawaitable(result):
                    await result
            finally:
                if not handle.cancelled:
                    self.call_later(interval, tick)
        self.call_later(interval, tick)
        return handle

    def spawn(self, coro) -> asyncio.Task:
        """Run a coroutine in the background, keeping a reference and logging its failure."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())

    def on_clock_change(self, listener: Callable[[], Any]) -> None:
        """Called after advance(): services with their own waiters re-check them."""
        self._clock_listeners.append(listener)

    def advance(self, seconds: float) -> None:
        """Move the clock; a negative step (a rewind) moves pending timers with it."""
        self.offset += seconds
        if seconds < 0:
            self._heap = [(when + seconds, seq, timer) for when, seq, timer in self._heap]
            for _, _, timer in self._heap:
                timer.when += seconds
        if self._wake is not None:
            self._wake.set()
        for listener in self._clock_listeners:
            listener()

    def run_due(self) -> int:
        """Run every timer that is due now; returns how many ran."""
        ran = 0
        now = self.now()
        while self._heap and self._heap[0][0] <= now:
            _, _, timer = heapq.heappop(self._heap)
            if timer.cancelled:
                continue
            ran += 1
            try:
                result = timer.callback(*timer.args)
                if inspect.isawaitable(result):
                    self.spawn(result)
            except Exception:
                log.exception("timer callback failed")
        return ran

    async def drain(self) -> None:
        """Run everything due now, and let the tasks it started finish."""
        self.run_due()
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
            self.run_due()

    def start(self) -> None:
        self._wake = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for task in list(self._tasks):
            task.cancel()

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            self.run_due()
            self._wake.clear()
            timeout = None
            while self._heap and self._heap[0][2].cancelled:
                heapq.heappop(self._heap)
            if self._heap:
                timeout = max(0.0, self._heap[0][0] - self.now())
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except asyncio.TimeoutError:
                pass
