"""Makes this folder a package, so that its conftest.py is imported as ``benchmarks.conftest``
and does not shadow ``tests/conftest.py``, which the test modules import as ``conftest``."""
