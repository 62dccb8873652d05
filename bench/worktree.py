"""The app as of a git revision, checked out in a temporary worktree (``--baseline``, ``--app-rev``).

gunicorn serves such a checkout with its cwd and ``PYTHONPATH`` set to the
worktree, so that its ``tasty_recipes`` is imported instead of the editable
install of the repository (whose working tree others may be editing).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


@dataclass(frozen=True)
class Tree:
    """A detached checkout of ``commit`` at ``path``."""

    commit: str  # short hash
    subject: str
    path: Path

    @property
    def label(self) -> str:
        return f"{self.commit} {self.subject}"

    @property
    def env(self) -> dict[str, str]:
        """What a child process needs to import this checkout's ``tasty_recipes`` and ``wsgi``."""
        return {"PYTHONPATH": str(self.path)}


@contextmanager
def checkout(rev: str) -> Iterator[Tree]:
    """``git worktree add --detach`` of ``rev`` in a fresh temporary directory, removed afterwards."""
    commit = git("rev-parse", "--short", f"{rev}^{{commit}}")
    path = Path(tempfile.mkdtemp(prefix=f"tasty-bench-{commit}-"))
    git("worktree", "add", "--detach", str(path), commit)
    try:
        yield Tree(commit, git("log", "-1", "--format=%s", commit), path)
    finally:
        git("worktree", "remove", "--force", str(path))


def import_app_from(path: Path) -> None:
    """Make this process import ``tasty_recipes`` from the checkout at ``path`` (before anything
    imported it)."""
    if "tasty_recipes" in sys.modules:
        raise RuntimeError("tasty_recipes was imported before the worktree was put on sys.path")
    sys.path.insert(0, str(path))
    import tasty_recipes

    if not Path(tasty_recipes.__file__).resolve().is_relative_to(path.resolve()):
        raise RuntimeError(f"tasty_recipes imported from {tasty_recipes.__file__}, not from {path}")
