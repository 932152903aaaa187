"""``python -m heatrules`` is the ``heatrules`` command."""

from .cli import entry

entry()
