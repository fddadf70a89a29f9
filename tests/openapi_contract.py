"""A Flask test client that holds every JSON API response to the OpenAPI document.

Each response to a path under ``/api/v1`` must be documented for its operation and
status, and its body must validate against the documented schema. So every API test
is also a contract test of ``/api/v1/openapi.json``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.exceptions import HTTPException
from werkzeug.test import TestResponse

from api.v1.openapi import build_document

DOCUMENT_URI = "urn:simel:test:openapi"


class ContractViolation(AssertionError):
    """A response the OpenAPI document does not describe."""


class Contract:
    """The OpenAPI document of an app, indexed by endpoint and method."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.document = build_document(app, server_url="http://localhost")
        self.registry: Registry[Any] = Registry().with_resource(
            DOCUMENT_URI, Resource.from_contents(self.document, default_specification=DRAFT202012)
        )
        self.operations: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        for path, item in self.document["paths"].items():
            for method, operation in item.items():
                if method == "parameters":
                    continue
                endpoint = operation["operationId"].split("#")[0]
                self.operations[(endpoint, method.upper())] = (path, operation)

    def operation_for(self, path: str, method: str) -> tuple[str, dict[str, Any]] | None:
        adapter = self.app.url_map.bind("localhost")
        try:
            endpoint, _ = adapter.match(path, method=method)
        except HTTPException:
            return None
        return self.operations.get((endpoint, method))

    def check(self, method: str, path: str, response: TestResponse) -> None:
        if not path.startswith("/api/v1") or path.startswith("/api/v1/docs"):
            return
        if method == "OPTIONS":
            # Flask answers OPTIONS for every route (Allow, CORS preflights): HTTP
            # plumbing, not an operation of the API.
            return
        found = self.operation_for(path, "GET" if method == "HEAD" else method)
        if found is None:
            if response.status_code in (404, 405):
                # Unrouted paths and methods: still problem+json, checked by their tests.
                assert response.mimetype == "application/problem+json", response.data
                return
            raise ContractViolation(f"{method} {path} is not in the OpenAPI document")
        doc_path, operation = found
        status = str(response.status_code)
        responses = operation["responses"]
        if status not in responses:
            raise ContractViolation(
                f"{method} {doc_path} answered {status}, which the document does not list"
            )
        spec = responses[status]
        if "content" not in spec:
            assert not response.data or method == "HEAD", f"{status} should have no body"
            return
        media = response.mimetype
        if media not in spec["content"]:
            raise ContractViolation(
                f"{method} {doc_path} {status} answered {media}, documented {list(spec['content'])}"
            )
        if not (media == "application/json" or media.endswith("+json")):
            return  # text formats (Turtle...) are checked by their own tests
        pointer = "/".join(
            part.replace("~", "~0").replace("/", "~1")
            for part in (
                "paths",
                doc_path,
                method.lower(),
                "responses",
                status,
                "content",
                media,
                "schema",
            )
        )
        validator = Draft202012Validator(
            {"$ref": f"{DOCUMENT_URI}#/{pointer}"},
            registry=self.registry,
            format_checker=FormatChecker(),
        )
        errors = sorted(validator.iter_errors(response.get_json()), key=lambda e: list(e.path))
        if errors:
            details = "; ".join(
                f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]
            )
            raise ContractViolation(f"{method} {doc_path} {status} body does not match: {details}")


class ContractClient(FlaskClient):
    """FlaskClient that checks API responses against the OpenAPI document."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:  # type: ignore[override]
        response = super().open(*args, **kwargs)
        request = response.request
        app = self.application
        contract: Contract | None = app.extensions.get("test_contract")
        if contract is None:
            with app.test_request_context():
                contract = Contract(app)
            app.extensions["test_contract"] = contract
        contract.check(request.method, request.path, response)
        return response
