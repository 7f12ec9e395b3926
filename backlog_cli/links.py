"""Where the file links of Markdown reports point (`check`, `diff`, `impact`, `status`).

Paths in findings are relative to the git top-level (the repository root), so a relative
link resolves when the Markdown is shown at the root of the repository (a committed file,
an editor). A PR comment or a job summary has no such place: under GitHub Actions the links
are absolute, `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/blob/$GITHUB_SHA/<path>#L<line>`;
`--link-base URL` sets that prefix anywhere else (and wins over the GitHub variables).
Without either, or with one of the three GitHub variables missing, links stay relative.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote, urlsplit

from backlog_cli.errors import BacklogError

# `(`, `)`, `<`, `>` and spaces would end or break a Markdown link destination; `%` stays,
# so an already percent-encoded URL is not encoded twice
_SAFE = ":/?#[]@!$&'*+,;=%~"
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def _clean(url: str) -> str:
    return quote(url, safe=_SAFE).rstrip("/") + "/"


def link_base(given: str | None, environ: Mapping[str, str]) -> str | None:
    """The prefix (ending in `/`) of file links, or None for relative links; a `given`
    `--link-base` that is not an absolute http(s) URL is a usage error (exit 2)."""
    if given is not None:
        parts = urlsplit(given)
        if parts.scheme not in ("http", "https") or not parts.netloc or _CONTROL.search(given):
            raise BacklogError(
                f"--link-base {given!r}: give an absolute http(s) URL that file paths are "
                "appended to, e.g. https://gitlab.example.com/team/repo/-/blob/main"
            )
        return _clean(given)
    if environ.get("GITHUB_ACTIONS") != "true":
        return None
    server, repository, sha = (
        environ.get(name, "").strip()
        for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA")
    )
    if not (server and repository and sha) or _CONTROL.search(server + repository + sha):
        return None
    return _clean(f"{server.rstrip('/')}/{repository}/blob/{sha}")
