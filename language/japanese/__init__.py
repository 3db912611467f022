"""Offline checker for beginner Japanese, built on fugashi + unidic-lite. Imports no Django."""

from .analyser import analyse
from .finding import Finding

__all__ = ["Finding", "analyse"]
