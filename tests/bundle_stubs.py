"""Stand-ins for the starter bundle's generators, catalog and README while they are being written (issue 17): each
part that still raises NotImplementedError gives one small valid manifest (or a short text), so the downloads, the API,
the command line and the report's links run. A part that is written is left alone, so the tests that use these run
on the real bundle as soon as it is there and assert only what holds either way."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from advisor.bundle import admission, build, catalog, control_plane, mesh, namespaces, network, rbac
from advisor.bundle.model import ANNOTATION, BundleContext, FileKind, Manifest
from advisor.engine import default_knowledge_base, evaluate
from tests.helpers import BASE_ANSWERS

GENERATORS: dict[str, ModuleType] = {
    "namespaces": namespaces,
    "network": network,
    "rbac": rbac,
    "mesh": mesh,
    "admission": admission,
    "control_plane": control_plane,
}
Setter = Callable[[Any, str, Any], None]


def _object(name: str, items: tuple[str, ...]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "team-1", "annotations": {ANNOTATION: ",".join(items)}},
        "data": {"stand-in": "true"},
    }


def _stand_in(part: str) -> Callable[[BundleContext], list[Manifest]]:
    def generate(context: BundleContext) -> list[Manifest]:
        # each part claims one checklist item of its own, so the report's links have something to show
        index = list(GENERATORS).index(part)
        items = context.checklist[index : index + 1]
        name = part.replace("_", "-")
        if part == "control_plane":
            return []
        kinds: Sequence[tuple[str, FileKind]] = [(f"base/{name}/stand-in.yaml", "base")]
        if part == "admission":
            kinds = [*kinds, ("overlays/audit/bindings.yaml", "overlay-audit")]
            kinds = [*kinds, ("overlays/enforce/bindings.yaml", "overlay-enforce")]
        return [
            Manifest(path, (_object(f"{name}-{n}", items),), items, kind, comment=f"A stand-in for {part}.")
            for n, (path, kind) in enumerate(kinds)
        ]

    return generate


def _written(call: Callable[[], object]) -> bool:
    try:
        call()
    except NotImplementedError:
        return False
    return True


def stand_in_for_missing(setattr_: Setter = setattr) -> list[str]:
    """Put stand-ins where a part is not written yet (``setattr_``: a monkeypatch's, to undo them after the test);
    the names of the parts stood in for."""
    context = BundleContext(evaluate(BASE_ANSWERS), default_knowledge_base(), (), ())
    missing = []
    for part, module in GENERATORS.items():
        if not _written(lambda m=module: m.generate(context)):  # type: ignore[misc]
            setattr_(module, "generate", _stand_in(part))
            missing.append(part)
    if not _written(lambda: catalog.catalog(context, ())):
        setattr_(build, "catalog", lambda context, manifests: {"files": [m.path for m in manifests]})
        missing.append("catalog")
    if not _written(lambda: catalog.readme(context, ())):
        setattr_(build, "readme", lambda context, manifests: "# Starter policy bundle (stand-in)\n")
        missing.append("readme")
    return missing
