"""changetrail: change records and knowledge articles in Markdown, checked and published."""

from __future__ import annotations

from .catalog import Catalog, build_catalog
from .errors import ChangetrailError, ConfigError, RecordError, RecordErrors, Severity
from .loader import Record, discover, load_all, load_record
from .pipeline import Project, load_project

__version__ = "0.1.0"

__all__ = [
    "Catalog",
    "ChangetrailError",
    "ConfigError",
    "Project",
    "Record",
    "RecordError",
    "RecordErrors",
    "Severity",
    "__version__",
    "build_catalog",
    "discover",
    "load_all",
    "load_project",
    "load_record",
]
