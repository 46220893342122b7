"""Small helpers for reading evaluation results in tests."""

from __future__ import annotations

import json
from typing import Any

# a complete, valid answers document; tests copy it and change what they need
BASE_ANSWERS: dict[str, Any] = {
    "experience": "intermediate",
    "automation": "partial",
    "infrastructure": "public_cloud",
    "air_gapped": False,
    "applications": 4,
    "services": 8,
    "tenancy": "single_team",
    "sensitivity": "moderate",
}


def decision(result: dict[str, Any], decision_id: str) -> dict[str, Any]:
    return next(d for d in result["decisions"] if d["id"] == decision_id)


def alternative(result: dict[str, Any], decision_id: str, alt_id: str) -> dict[str, Any]:
    return next(a for a in decision(result, decision_id)["alternatives"] if a["id"] == alt_id)


def recommended(result: dict[str, Any], decision_id: str) -> str | None:
    value: str | None = decision(result, decision_id)["recommended"]
    return value


def item_ids(result: dict[str, Any]) -> set[str]:
    return {item["id"] for item in result["checklist"]}


def topics(result: dict[str, Any]) -> set[str]:
    return {item["topic"] for item in result["checklist"]}


def item(result: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(i for i in result["checklist"] if i["id"] == item_id)


def with_mapping(
    result: dict[str, Any], framework: str, answered: dict[str, list[str]], unanswered: list[str]
) -> dict[str, Any]:
    """A copy of an engine 2.1 result in which, for one ticked framework, the ``answered`` requirements are
    answered by exactly the items named and the ``unanswered`` ones by none, on both sides: the framework
    view and the items' own ``frameworks`` (the knowledge base's mapping is still being written)."""
    out: dict[str, Any] = json.loads(json.dumps(result))
    view = next(f for f in out["frameworks"] if f["framework"] == framework)
    rows = {r["requirement"]: r for r in view["requirements"]}
    for requirement, items in answered.items():
        rows[requirement]["items"] = list(items)
    for requirement in unanswered:
        rows[requirement]["items"] = []
    for entry in out["checklist"]:
        entry["frameworks"] = [f for f in entry["frameworks"] if f["framework"] != framework] + [
            {"framework": framework, "requirement": r["requirement"], "title": r["title"]}
            for r in view["requirements"]
            if entry["id"] in r["items"]
        ]
    return out


def unpacked(content: bytes) -> dict[str, bytes]:
    """A zip export's files, once its SHA256SUMS manifest (the last entry) is checked to cover them all."""
    import hashlib
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        assert names[-1] == "SHA256SUMS", "every zip export ends with its manifest"
        files = {name: archive.read(name) for name in names[:-1]}
        listed = dict(reversed(line.split("  ", 1)) for line in archive.read(names[-1]).decode("ascii").splitlines())
    assert listed == {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    return files
