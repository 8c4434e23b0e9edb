"""Keep the benchmarks out of the default test run: pytest collects nothing from this folder.

Run them with ``python tests/benchmarks/run.py`` (see README.md here).
"""

collect_ignore_glob = ["*"]
