"""ParkWise: a small parking API used as golive's sample "user app"."""

from __future__ import annotations

__all__ = ["DEFAULT_VERSION"]

DEFAULT_VERSION = "1.0.0"
