"""The bundle's catalog (``controls.json``) and README: every file and object with the checklist items it implements
and their framework ids (``framework@version:id``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from advisor.bundle.model import BundleContext, Manifest


def catalog(context: BundleContext, manifests: Sequence[Manifest]) -> dict[str, Any]:
    raise NotImplementedError  # issue 17: being written


def readme(context: BundleContext, manifests: Sequence[Manifest]) -> str:
    raise NotImplementedError  # issue 17: being written
