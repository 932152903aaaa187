"""heatrules — Tianjin district-heating fee, refund and waiver rules as code."""

from __future__ import annotations

__version__ = "0.1.0"
