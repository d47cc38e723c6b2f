"""The OpenAPI schema states what every operation may answer besides success: RFC 9457 problem details for
400, 401, 403, 404, 405, 409 and 429 (`SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]`)."""

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details; `title` is in the Accept-Language.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True, "description": "Field errors (400 only)."},
    },
    "required": ["type", "title", "status", "detail"],
}
ERRORS = {
    "400": "The input is not valid (see `errors`).",
    "401": "No, a wrong or a revoked token.",
    "403": "Not allowed for the caller (or a read-only token asked to write).",
    "404": "Not found, or not visible to the caller.",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "409": "Not possible in the current state, or changed by someone else at the same time.",
    "415": "Unsupported media type.",
    "429": "Too many requests; see Retry-After.",
}


def add_problem_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    reference = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, text in ERRORS.items():
                responses.setdefault(code, {"description": text, "content": reference})
    return result
