"""Find the resource folders that live beside the package (templates/, static/, migrations/).

In a source checkout they sit at the repository root, next to ``advisor/``; in an
installed wheel they are bundled inside the package under ``advisor/_resources``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Absolute path of a resource folder: the bundled copy if present, else the one beside the package."""
    bundled = _PACKAGE / "_resources" / name
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parent / name
