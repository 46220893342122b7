"""The OpenAPI 3.1 document of the JSON API; kept true by a schemathesis run against the live app."""

from __future__ import annotations

from typing import Any

from advisor.engine import ENGINE_VERSION
from advisor.engine.schema import STATUSES
from advisor.models import limits

ERROR = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["key", "message"],
                "properties": {"key": {"type": "string"}, "message": {"type": "string"}},
            },
        }
    },
}
RESULT = {
    "type": "object",
    "description": "The evaluation result of contract §4. Engine 2.1 adds `start_here`, `frameworks` and, per "
    "checklist item, `phase`, `effort`, `responsibility`, `priority_because` and `frameworks`; results stored "
    "by older engines lack them.",
    "required": [
        "engine_version",
        "knowledge_base_version",
        "answers",
        "weights",
        "decisions",
        "checklist",
        "warnings",
    ],
    "properties": {
        "start_here": {
            "type": "array",
            "description": "The ids of the first checklist items to do, in order.",
            "items": {"type": "string"},
        },
        "frameworks": {
            "type": "array",
            "description": "Per ticked compliance framework, every requirement and the ids of the checklist "
            "items that answer it (none: no item does).",
            "items": {
                "type": "object",
                "required": ["framework", "label", "requirements"],
                "properties": {
                    "framework": {"type": "string"},
                    "label": {"type": "string"},
                    "requirements": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["requirement", "title", "items"],
                            "properties": {
                                "requirement": {"type": "string"},
                                "title": {"type": "string"},
                                "items": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                    },
                },
            },
        },
    },
}
ANSWERS = {"type": "object", "description": "An answers document (contract §1)."}
STATUS_ENUM = {"type": "string", "enum": list(STATUSES)}
NULLABLE_STRING = {"type": ["string", "null"]}


def _text(most: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": most}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    words = {
        400: "Invalid request",
        401: "No token, or not a valid one",
        403: "Your role does not allow this",
        404: "Absent, or not yours to see",
        409: "Stale write: someone saved first",
        413: "Body too large",
        429: "Too many requests: wait as long as Retry-After says",
    }
    return {str(code): _json({"$ref": "#/components/schemas/Errors"}, words[code]) for code in codes}


ID = {"name": "assessment_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
REVISION_BODY = {
    "type": "object",
    "required": [
        "number",
        "label",
        "created_at",
        "author",
        "engine_version",
        "knowledge_base_version",
        "answers",
        "result",
        "statuses",
    ],
    "properties": {
        "number": {"type": "integer"},
        "label": NULLABLE_STRING,
        "created_at": {"type": "string"},
        "author": NULLABLE_STRING,
        "engine_version": {"type": "string"},
        "knowledge_base_version": {"type": "string"},
        "answers": {"type": "object"},
        "result": {"type": "object"},
        "statuses": {"type": "object", "additionalProperties": STATUS_ENUM},
    },
}
WORKSPACE = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
}


def document(server: str) -> dict[str, Any]:
    token_errors = (401,)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kubernetes architecture advisor API",
            "version": "1",
            "description": f"Contract v1 (engine {ENGINE_VERSION}). Authenticate with a personal API token: "
            '`Authorization: Bearer <token>`. Errors are `{"errors": [{"key", "message"}]}`.',
        },
        "servers": [{"url": server}],
        "security": [{"token": []}],
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Errors": ERROR, "Result": RESULT, "Revision": REVISION_BODY},
        },
        "paths": {
            "/api/v1/openapi.json": {
                "get": {
                    "security": [],
                    "summary": "This document",
                    "responses": {"200": _json({"type": "object"}, "The OpenAPI document")},
                }
            },
            "/api/v1/evaluate": {
                "post": {
                    "summary": "Evaluate an answers document; nothing is stored",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": ANSWERS}}},
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Result"}, "The result"),
                        **_errors(400, *token_errors, 413),
                    },
                }
            },
            "/api/v1/assessments": {
                "get": {
                    "summary": "A page of the assessments this token may see",
                    "parameters": [
                        {"name": "q", "in": "query", "schema": {"type": "string"}},
                        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                        {
                            "name": "show",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["active", "archived", "all"]},
                        },
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["items", "page", "pages", "total"],
                                "properties": {
                                    "items": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": [
                                                "id",
                                                "title",
                                                "workspace",
                                                "archived",
                                                "latest_revision",
                                                "recommended",
                                                "checklist",
                                                "updated_at",
                                            ],
                                            "properties": {
                                                "id": {"type": "integer"},
                                                "title": {"type": "string"},
                                                "workspace": WORKSPACE,
                                                "archived": {"type": "boolean"},
                                                "latest_revision": {"type": "integer"},
                                                "recommended": {"type": ["object", "null"]},
                                                "checklist": {"type": "object"},
                                                "updated_at": {"type": "string"},
                                            },
                                        },
                                    },
                                    "page": {"type": "integer"},
                                    "pages": {"type": "integer"},
                                    "total": {"type": "integer"},
                                },
                            },
                            "The page",
                        ),
                        **_errors(400, *token_errors),
                    },
                },
                "post": {
                    "summary": "Create an assessment with its first revision",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["title", "answers"],
                                    "properties": {
                                        "title": _text(limits.TITLE),
                                        "answers": ANSWERS,
                                        "workspace": {"type": "integer"},
                                        "description": _text(limits.DESCRIPTION),
                                        "label": _text(limits.LABEL),
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": _json(
                            {
                                "type": "object",
                                "required": ["id", "revision", "result"],
                                "properties": {
                                    "id": {"type": "integer"},
                                    "revision": {"type": "integer"},
                                    "result": {"$ref": "#/components/schemas/Result"},
                                },
                            },
                            "Created",
                        ),
                        **_errors(400, *token_errors, 403, 404, 413),
                    },
                },
            },
            "/api/v1/assessments/{assessment_id}": {
                "get": {
                    "summary": "The assessment, its latest revision's answers and result, and checklist statuses",
                    "parameters": [ID],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": [
                                    "id",
                                    "title",
                                    "description",
                                    "workspace",
                                    "archived",
                                    "latest_revision",
                                    "answers",
                                    "result",
                                    "statuses",
                                ],
                                "properties": {
                                    "id": {"type": "integer"},
                                    "title": {"type": "string"},
                                    "workspace": WORKSPACE,
                                    "statuses": {"type": "object"},
                                    "answers": {"type": ["object", "null"]},
                                    "result": {"type": ["object", "null"]},
                                },
                            },
                            "The assessment",
                        ),
                        **_errors(*token_errors, 404),
                    },
                }
            },
            "/api/v1/assessments/{assessment_id}/revisions": {
                "post": {
                    "summary": "Save new answers as the next revision",
                    "parameters": [ID],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["answers", "base_revision"],
                                    "properties": {
                                        "answers": ANSWERS,
                                        "base_revision": {"type": "integer"},
                                        "label": _text(limits.LABEL),
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": _json({"$ref": "#/components/schemas/Revision"}, "The new revision"),
                        **_errors(400, *token_errors, 403, 404, 409, 413),
                    },
                }
            },
            "/api/v1/assessments/{assessment_id}/revisions/{number}": {
                "get": {
                    "summary": "One revision as it was stored",
                    "parameters": [
                        ID,
                        {"name": "number", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}},
                    ],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Revision"}, "The revision"),
                        **_errors(*token_errors, 404),
                    },
                }
            },
            "/api/v1/assessments/{assessment_id}/checklist/{item_id}": {
                "patch": {
                    "summary": "Set a checklist item's status",
                    "parameters": [
                        ID,
                        {"name": "item_id", "in": "path", "required": True, "schema": {"type": "string"}},
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["status", "base_version"],
                                    "properties": {
                                        "status": STATUS_ENUM,
                                        "note": _text(limits.NOTE),
                                        "owner": _text(limits.OWNER),
                                        "base_version": {
                                            "type": "integer",
                                            "description": "0 when no status was set before",
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["item_id", "status", "note", "owner", "version"],
                                "properties": {
                                    "item_id": {"type": "string"},
                                    "status": STATUS_ENUM,
                                    "note": {"type": "string"},
                                    "owner": {"type": "string"},
                                    "version": {"type": "integer"},
                                },
                            },
                            "Saved",
                        ),
                        **_errors(400, *token_errors, 403, 404, 409, 413),
                    },
                }
            },
            "/api/v1/assessments/{assessment_id}/export": {
                "get": {
                    "summary": "A revision as a file (adr: a zip of one MADR record per decision)",
                    "parameters": [
                        ID,
                        {
                            "name": "format",
                            "in": "query",
                            "schema": {
                                "type": "string",
                                "enum": ["pdf", "markdown", "csv", "compliance_csv", "json", "adr"],
                            },
                        },
                        {"name": "revision", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    ],
                    "responses": {
                        "200": {
                            "description": "The file",
                            "content": {
                                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                                "text/markdown": {"schema": {"type": "string"}},
                                "text/csv": {"schema": {"type": "string"}},
                                "application/json": {"schema": {"type": "object"}},
                                "application/zip": {"schema": {"type": "string", "format": "binary"}},
                            },
                        },
                        **_errors(400, *token_errors, 404, 429),
                    },
                }
            },
        },
    }
