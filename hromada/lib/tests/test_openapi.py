"""The OpenAPI document: one name per schema, and the errors every operation may answer.

Both were found by the API fuzz test (tests/test_api_fuzz.py): answers that did not match the
document because two classes of one name shared a component, and 401/403/404/409/422 answers
the document did not mention.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from ninja.openapi.schema import OpenAPISchema
from ninja.responses import NinjaJSONEncoder

from hromada.api import api


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The document as served: JSON, so ninja's status codes (ints) and ours (str) are one."""
    return json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))


def _schema(document: dict[str, Any], ref: str) -> dict[str, Any]:
    return document["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_two_classes_of_one_name_keep_their_own_schemas(document):
    schemas = document["components"]["schemas"]
    need_place = _schema(document, schemas["NeedOut"]["properties"]["place"]["$ref"])
    task_place = _schema(document, schemas["TaskOut"]["properties"]["place"]["anyOf"][0]["$ref"])

    assert set(need_place["properties"]) == {"id", "name", "kind", "area"}  # aid's PlaceRef
    assert set(task_place["properties"]) == {"id", "name", "address"}  # volunteers' PlaceRef


def test_a_need_filter_offers_a_needs_statuses_not_a_deliverys(document):
    parameters = document["paths"]["/api/needs"]["get"]["parameters"]
    status = next(p for p in parameters if p["name"] == "status")["schema"]
    ref = status.get("$ref") or next(s["$ref"] for s in status["anyOf"] if "$ref" in s)

    assert set(_schema(document, ref)["enum"]) >= {"open", "partly_covered", "covered"}
    assert "delivered" not in _schema(document, ref)["enum"]


def test_no_component_is_defined_twice_differently(monkeypatch):
    clashes: list[str] = []
    define = OpenAPISchema.add_schema_definitions

    def checked(self: OpenAPISchema, definitions: dict[str, Any]) -> None:
        clashes.extend(k for k, v in definitions.items() if self.schemas.get(k, v) != v)
        define(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", checked)
    api.get_openapi_schema()

    assert clashes == []


def test_every_operation_documents_the_errors_it_may_answer(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            expected = {"401", "403", "404", "429"}
            if method in {"post", "put", "patch", "delete"}:
                expected |= {"409", "413", "422"}
            if "requestBody" in operation:
                expected.add("400")  # a body that is not UTF-8: ninja cannot read it
            assert expected <= documented, f"{method.upper()} {path}"
            assert operation["responses"]["403"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }


def test_an_operation_keeps_its_own_declared_error_answer_beside_the_handlers(document):
    statement = document["paths"]["/api/funds/{fund_id}/statements"]["post"]["responses"]["422"]
    (media,) = statement["content"].values()

    # the rows in error of a statement, or a field that does not parse (fund_id="x")
    assert media["schema"]["anyOf"] == [
        {"$ref": "#/components/schemas/StatementOut"},
        {"$ref": "#/components/schemas/Error"},
    ]
