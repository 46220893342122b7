"""Team Roles and RoleBindings to groups: explicit verbs and resources."""

from __future__ import annotations

from advisor.bundle.model import BundleContext, Manifest


def generate(context: BundleContext) -> list[Manifest]:
    raise NotImplementedError  # issue 17: being written
