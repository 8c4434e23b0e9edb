"""Links to a repository's web view (GitHub, GitLab, Gitea/Forgejo, Bitbucket). Pure."""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote, urlsplit, urlunsplit

__all__ = ["Forge", "guess_forge", "repo_links"]

Forge = Literal["github", "gitlab", "gitea", "bitbucket"]

# Path templates after repo_url: {ref} and {path} are quoted before they are filled in.
_FILE = {
    "github": "/blob/{ref}/{path}",
    "gitlab": "/-/blob/{ref}/{path}",
    "gitea": "/src/commit/{ref}/{path}",
    "bitbucket": "/src/{ref}/{path}",
}
_FOLDER = {
    "github": "/tree/{ref}/{path}",
    "gitlab": "/-/tree/{ref}/{path}",
    "gitea": "/src/commit/{ref}/{path}",
    "bitbucket": "/src/{ref}/{path}",
}
_COMMIT = {
    "github": "/commit/{ref}",
    "gitlab": "/-/commit/{ref}",
    "gitea": "/commit/{ref}",
    "bitbucket": "/commits/{ref}",
}


def guess_forge(repo_url: str) -> Forge:
    """Tell the forge from the host name, as MkDocs does for ``edit_uri``; GitHub otherwise."""
    host = (urlsplit(repo_url.strip()).hostname or "").lower()
    if "gitlab" in host:
        return "gitlab"
    if "bitbucket" in host:
        return "bitbucket"
    if host == "codeberg.org" or "gitea" in host or "forgejo" in host:
        return "gitea"
    return "github"


def repo_links(
    repo_url: str,
    *,
    commit: str | None,
    path: str | None,
    folder: bool = False,
    forge: Forge | None = None,
) -> str | None:
    """Return the web-view URL of a file (at ``commit``, or HEAD) or, with no path, of a commit.

    Args:
        repo_url: the repository's page, e.g. ``https://github.com/org/repo`` (``.git``, a
            trailing ``/`` and any user name or token in it are dropped).
        commit: a full hash is best: Gitea links only hashes, and a hash never moves.
        path: a path from the repository's top folder.
        folder: link a folder's listing rather than a file.
        forge: the URL style; guessed from the host when not given.

    Returns:
        The URL, or ``None`` for a URL that is not plain ``http(s)``, a path that leaves the
        repository, or nothing to link.
    """
    base = _base(repo_url)
    if base is None:
        return None
    style = forge or guess_forge(repo_url)
    if path is not None:
        parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
        if not parts or ".." in parts or any(not p.isprintable() for p in parts):
            return None
        ref = commit or "HEAD"
        # Gitea reads HEAD only as a branch: /src/branch/HEAD/ is its default branch.
        template = (_FOLDER if folder else _FILE)[style]
        if style == "gitea" and commit is None:
            template = "/src/branch/{ref}/{path}"
        return base + template.format(ref=_q(ref), path="/".join(_q(p) for p in parts))
    if commit:
        return base + _COMMIT[style].format(ref=_q(commit))
    return None


def _q(segment: str) -> str:
    return quote(segment, safe="")


def _base(repo_url: str) -> str | None:
    text = repo_url.strip()
    if not text or any(not ch.isprintable() or ch.isspace() for ch in text):
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if parts.query or parts.fragment:
        return None
    netloc = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    path = parts.path.rstrip("/").removesuffix(".git").rstrip("/")
    return urlunsplit((parts.scheme.lower(), netloc, path, "", ""))
