"""Read an answers file's text (YAML or JSON) strictly: a repeated key is an error, not a silent override."""

from __future__ import annotations

import json
from typing import Any

import yaml


class AnswersFileError(ValueError):
    """The text is not readable YAML or JSON."""


class _StrictLoader(yaml.SafeLoader):
    pass


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, f"a key must be plain text, not {type(key).__name__}", key_node.start_mark
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} appears more than once", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def read_answers_text(text: str, source: str = "input") -> Any:
    """Parse YAML (JSON is YAML too); raise AnswersFileError naming the line on bad input."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        detail = str(exc).replace("\n", " ")
        raise AnswersFileError(f"{source}: not valid YAML or JSON: {detail}") from exc
    except RecursionError:
        raise AnswersFileError(f"{source}: nested too deeply to read") from None
    problem = text_problem(data)
    if problem:
        raise AnswersFileError(f"{source}: {problem}")
    return data


def text_problem(data: Any) -> str | None:
    """Why the text in parsed YAML or JSON cannot be stored or shown, or None.

    JSON and YAML escapes can spell half of a UTF-16 surrogate pair ("\\ud800"), which is not a
    character: it cannot be written as UTF-8, so no database, file or page can hold it.
    """
    try:
        json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        return "text holds an unpaired UTF-16 surrogate escape (such as \\ud800), which is not a character"
    except (RecursionError, ValueError):
        return "nested too deeply to read"
    return None
