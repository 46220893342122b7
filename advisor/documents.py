"""Read answers documents (YAML or JSON) strictly: a repeated key is an error, not a silent override."""

from __future__ import annotations

from typing import Any

import yaml


class DocumentError(ValueError):
    """The text is not a readable YAML/JSON document."""


class _StrictLoader(yaml.SafeLoader):
    pass


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} appears more than once", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def parse_document(text: str, source: str = "input") -> Any:
    """Parse YAML (JSON is YAML too); raise DocumentError naming the line on bad input."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        detail = str(exc).replace("\n", " ")
        raise DocumentError(f"{source}: not valid YAML or JSON: {detail}") from exc
