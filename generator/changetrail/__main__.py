"""``python -m changetrail`` is the same as the ``changetrail`` command."""

from .cli import main

main()
