"""Settings shared by the CLI and the MkDocs plugin.

The plugin's options in ``mkdocs.yml`` are these fields; the CLI reads the same block from
``mkdocs.yml`` without importing MkDocs, so ``changetrail check`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError, close_match_hint
from .models import STATUS_DEPENDENT, Status

__all__ = ["DEFAULT_CHECKLIST", "DEFAULT_REQUIRED", "Limits", "Settings", "load_settings"]

DEFAULT_CHECKLIST = (
    "capture the current behavior",
    "create a safe backup",
    "test the smallest change",
    "watch logs after release",
    "write the final note",
)

DEFAULT_REQUIRED: dict[str, list[Status]] = {
    "files_touched": [Status.SHIPPED, Status.ROLLED_BACK],
    "commands": [Status.SHIPPED, Status.ROLLED_BACK],
    "metrics": [Status.SHIPPED],
    "rollback": [Status.PLANNED, Status.IN_PROGRESS, Status.SHIPPED, Status.ROLLED_BACK],
}


class Limits(BaseModel):
    """Sizes past which a file or a value is refused (authors are not trusted)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file_bytes: Annotated[
        int, Field(ge=1024, description="Largest record or article file; checked before parsing.")
    ] = 1024 * 1024
    title_length: Annotated[
        int, Field(ge=1, le=1000, description="Longest title, in characters.")
    ] = 200
    checklist_items: Annotated[int, Field(ge=1, description="Most items in one checklist.")] = 100


class LinkCheck(BaseModel):
    """How `changetrail check --links --external` treats links to other sites."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    exclude: Annotated[
        list[str], Field(description="Regular expressions; a URL matching one is not checked.")
    ] = []
    timeout: Annotated[float, Field(gt=0, description="Seconds for one request.")] = 10.0
    retries: Annotated[int, Field(ge=0, description="Extra tries after 429, 5xx or a timeout.")] = 2
    concurrency: Annotated[int, Field(ge=1, description="Requests in flight at once.")] = 8
    host_interval: Annotated[
        float, Field(ge=0, description="Seconds between two requests to the same host.")
    ] = 0.25
    cache_max_age: Annotated[
        float, Field(ge=0, description="Seconds a checked URL's result is reused (1 day).")
    ] = 86400.0
    cache_path: Annotated[
        str, Field(description="The result cache, relative to the project; safe to keep in CI.")
    ] = ".cache/changetrail/links.json"


class Settings(BaseModel):
    """Options of the `changetrail` plugin (`plugins: - changetrail: {...}` in mkdocs.yml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: Annotated[bool, Field(description="Turn the plugin off without removing it.")] = True
    changes_dir: Annotated[
        str,
        Field(
            description="Folder of change records, relative to the folder of mkdocs.yml. It may "
            "be outside `docs_dir` (the default) or inside it."
        ),
    ] = "changes"
    site_path: Annotated[
        str, Field(description="Where the record pages go in the built site, e.g. `changes/`.")
    ] = "changes"
    required: Annotated[
        dict[str, list[Status]],
        Field(
            description="For each status-dependent field (`files_touched`, `commands`, "
            "`metrics`, `rollback`), the statuses that require it. Fields left out keep "
            "their default."
        ),
    ] = Field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_REQUIRED.items()})
    default_checklist: Annotated[
        list[str],
        Field(description="The checklist a record gets when it has no `checklist` field."),
    ] = Field(default_factory=lambda: list(DEFAULT_CHECKLIST))
    code_copy: Annotated[
        bool,
        Field(
            description="Turn on Material's copy button for code blocks (`content.code.copy`), "
            "so commands and rollback commands can be copied in one click."
        ),
    ] = True
    article_dirs: Annotated[
        list[str],
        Field(
            description="Folders under `docs_dir` whose every page is an article, even without "
            "`kind: article` in its frontmatter."
        ),
    ] = []
    review_max_age_days: Annotated[
        int,
        Field(
            ge=1,
            description="An article last reviewed longer ago than this needs review: it gets a "
            "badge, is listed on the review page, and `changetrail check` warns.",
        ),
    ] = 365
    review_page: Annotated[
        str, Field(description="Where the generated 'Needs review' page goes in the site.")
    ] = "needs-review.md"
    git_check: Annotated[
        bool,
        Field(
            description="`changetrail check` compares `files_touched` and `commit` with the git "
            "repository (paths exist, the commit resolves and touched those paths)."
        ),
    ] = True
    git_dates: Annotated[
        bool,
        Field(
            description="Show on each page when its file was created and last changed, and by whom."
        ),
    ] = True
    secret_scan: Annotated[
        bool,
        Field(
            description="Refuse credentials (keys, tokens, passwords) in commands, links and "
            "bodies; a line with `changetrail: allow-secret` is skipped."
        ),
    ] = True
    code_globs: Annotated[
        list[str] | None,
        Field(
            description="Gitignore-style globs of the paths that count as code for "
            "`check --require-record`; by default everything but docs, changes and top-level "
            "Markdown."
        ),
    ] = None
    link_check: Annotated[
        LinkCheck, Field(description="External link checking: exclusions, timeouts, cache.")
    ] = Field(default_factory=LinkCheck)
    limits: Annotated[
        Limits, Field(description="Size limits: `file_bytes`, `title_length`, `checklist_items`.")
    ] = Field(default_factory=Limits)
    similar_posts: Annotated[
        int,
        Field(
            ge=0,
            le=20,
            description="How many similar articles and records to list after each article "
            "(0 turns the list off).",
        ),
    ] = 5
    search: Annotated[
        Literal["pagefind", "material"],
        Field(
            description="`pagefind`: faceted search (kind, status, owner, area, stack, tags) "
            "that loads only the index fragments a query needs, for sites of any size; "
            "`material`: Material's own search (the `search` plugin), fine for small sites."
        ),
    ] = "pagefind"
    cache_dir: Annotated[
        str,
        Field(
            description="On-disk cache keyed by file content (parsed records, secret-scan "
            "results, rendered pages), relative to the project; safe to keep between CI runs "
            "and to delete at any time."
        ),
    ] = ".cache/changetrail"
    cache: Annotated[
        bool, Field(description="Use the on-disk cache (`--no-cache` on the command line).")
    ] = True
    page_size: Annotated[
        int,
        Field(
            ge=10,
            description="Records (or other entries) per page of every generated list: the change "
            "log, its month pages, tag, owner, status, file, metric and checklist pages.",
        ),
    ] = 50

    @field_validator("required", mode="after")
    @classmethod
    def _known_fields(cls, value: dict[str, list[Status]]) -> dict[str, list[Status]]:
        for name in value:
            if name not in STATUS_DEPENDENT:
                hint = close_match_hint(name, STATUS_DEPENDENT) or ""
                raise ValueError(
                    f"'{name}' is not a status-dependent field; expected one of "
                    f"{', '.join(STATUS_DEPENDENT)}. {hint}".strip()
                )
        merged = {k: list(v) for k, v in DEFAULT_REQUIRED.items()}
        merged.update(value)
        return merged

    @field_validator("site_path", "changes_dir", "review_page", "cache_dir", mode="after")
    @classmethod
    def _relative(cls, value: str) -> str:
        value = value.strip().strip("/")
        if not value or ".." in Path(value).parts:
            raise ValueError("expected a relative path inside the project, without '..'")
        return value

    @field_validator("article_dirs", mode="after")
    @classmethod
    def _relative_dirs(cls, value: list[str]) -> list[str]:
        return [cls._relative(v) for v in value]

    @classmethod
    def from_options(cls, options: dict[str, Any], source: str = "mkdocs.yml") -> Settings:
        """Validate plugin options, turning pydantic's error into one readable ``ConfigError``."""
        try:
            return cls.model_validate(options)
        except ValidationError as exc:
            lines = []
            for err in exc.errors(include_url=False):
                where = ".".join(str(p) for p in err["loc"])
                msg = err["msg"].removeprefix("Value error, ")
                if err["type"] == "extra_forbidden":
                    hint = close_match_hint(str(err["loc"][-1]), list(cls.model_fields))
                    msg = "unknown option" + (f"; {hint}" if hint else "")
                lines.append(f"{source}: plugins.changetrail.{where}: {msg}")
            raise ConfigError("\n".join(lines)) from None


class _LenientLoader(yaml.SafeLoader):
    """Reads mkdocs.yml for our block only: MkDocs tags (!ENV, !!python/name) become None."""


_LenientLoader.add_constructor(None, lambda loader, node: None)


def read_mkdocs_yml(config_file: Path) -> dict[str, Any]:
    """Read mkdocs.yml safely; custom tags are ignored because we only need a few keys."""
    try:
        with config_file.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_LenientLoader)  # noqa: S506 - a SafeLoader subclass
    except FileNotFoundError:
        raise ConfigError(
            f"{config_file}: no such file; run changetrail in the folder that holds mkdocs.yml "
            "or pass --config-file"
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{config_file}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{config_file}: expected a mapping of options")
    return data


def plugin_options(mkdocs_config: dict[str, Any]) -> dict[str, Any] | None:
    """Return the changetrail plugin's options from a raw mkdocs.yml, or None if not listed."""
    plugins = mkdocs_config.get("plugins") or []
    items = plugins.items() if isinstance(plugins, dict) else ((p, None) for p in plugins)
    for item, value in items:
        if isinstance(item, str) and item == "changetrail":
            return dict(value or {})
        if isinstance(item, dict) and "changetrail" in item:
            return dict(item["changetrail"] or {})
    return None


def load_settings(config_file: Path) -> tuple[Settings, Path]:
    """Read the plugin options from ``config_file``; return them and the project root.

    A missing mkdocs.yml or a mkdocs.yml without the plugin gives the defaults.
    """
    settings, root, _ = load_project_config(config_file)
    return settings, root


def load_project_config(config_file: Path) -> tuple[Settings, Path, Path]:
    """Like ``load_settings``, and also the docs folder (``docs_dir`` of mkdocs.yml)."""
    root = config_file.parent
    if not config_file.exists():
        return Settings(), root, root / "docs"
    raw = read_mkdocs_yml(config_file)
    options = plugin_options(raw) or {}
    docs = raw.get("docs_dir") if isinstance(raw.get("docs_dir"), str) else "docs"
    return Settings.from_options(options, source=str(config_file)), root, root / str(docs)
