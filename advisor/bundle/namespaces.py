"""Namespaces with Pod Security Admission labels, and ResourceQuota with LimitRange per namespace."""

from __future__ import annotations

from advisor.bundle.model import BundleContext, Manifest


def generate(context: BundleContext) -> list[Manifest]:
    raise NotImplementedError  # issue 17: being written
