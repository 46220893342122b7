"""Per namespace: default-deny NetworkPolicy, DNS, and the allowances the recommendation needs."""

from __future__ import annotations

from advisor.bundle.model import BundleContext, Manifest


def generate(context: BundleContext) -> list[Manifest]:
    raise NotImplementedError  # issue 17: being written
