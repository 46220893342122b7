"""Growing delays after failed sign-ins to one account, counted in the throttling store.

A hard block after N failures lets anyone who knows an address lock its owner out. Instead, the
first few failures cost nothing; after that each failure makes the account wait before the next
attempt, twice as long as the time before (1 s, 2 s, 4 s … up to a cap), and a successful sign-in
clears it all. Only failures count. Unknown addresses are treated exactly like known ones, so the
delays say nothing about which accounts exist. The counts live in the same store as the
per-address limit (``ADVISOR_RATELIMIT_STORAGE_URL``), so every instance sharing it agrees.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from limits.storage import Storage

WINDOW_SECONDS = 24 * 3600  # failures older than a day are forgotten


def seconds_until(moment: float) -> int:
    """Whole seconds from now until ``moment`` (a Unix time), at least 1: what a 429's Retry-After says."""
    return max(1, math.ceil(moment - time.time()))


@dataclass(frozen=True)
class SignInDelays:
    storage: Storage
    free_failures: int = 5
    max_seconds: int = 900

    @staticmethod
    def _keys(email: str) -> tuple[str, str]:
        digest = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()
        return f"advisor/sign-in-failures/{digest}", f"advisor/sign-in-wait/{digest}"

    def wait(self, email: str) -> int:
        """Seconds the account must still wait before its password is checked again (0: none)."""
        _, wait_key = self._keys(email)
        if self.storage.get(wait_key) <= 0:
            return 0
        return max(0, round(self.storage.get_expiry(wait_key) - time.time()))

    def failed(self, email: str) -> int:
        """Count a failure; returns the delay it sets (0 while failures are still free)."""
        failures_key, wait_key = self._keys(email)
        failures = self.storage.incr(failures_key, WINDOW_SECONDS)
        if failures < self.free_failures:
            return 0
        delay = min(1 << min(failures - self.free_failures, 30), self.max_seconds)
        self.storage.clear(wait_key)
        self.storage.incr(wait_key, delay)
        return delay

    def succeeded(self, email: str) -> None:
        for key in self._keys(email):
            self.storage.clear(key)
