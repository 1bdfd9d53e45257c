"""Rate limiting: a token bucket per key (a caller, a client address; pure, the clock is
passed in).

Each key may make ``rate`` requests a second on average, in bursts of up to ``burst``.
The buckets live in each gateway process: behind N replicas a caller gets up to N times
the rate (a shared store would be needed for an exact global limit). Buckets that have
refilled are dropped now and then, so many addresses cannot grow the table for ever.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class RateLimiter:
    rate: float
    burst: int
    prune_above: int = 10_000
    """Past this many buckets, the full ones are dropped (a full bucket is a new one)."""
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def take(self, key: str, now: float) -> float:
        """0 if the request may go ahead, else the seconds until it may."""
        if len(self._buckets) > self.prune_above:
            self._prune(now)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def _prune(self, now: float) -> None:
        refill = self.burst / self.rate
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.at < refill}

    def retry_after(self, wait: float) -> int:
        """Whole seconds for the Retry-After header (at least 1)."""
        return max(1, math.ceil(wait))
