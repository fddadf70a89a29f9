"""The one error hierarchy of the policies package.

The catalog maps :class:`PolicyError` to its own ``InvalidMetadata`` problem; the JSON
pointer lets it report the offending member the same way it reports JSON Schema errors.
"""

from __future__ import annotations

from collections.abc import Iterable


def json_pointer(path: Iterable[str | int]) -> str:
    """Build an RFC 6901 JSON pointer from member names and array indexes."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


class PolicyError(ValueError):
    """A policy document or object that this package cannot accept.

    Attributes:
        message: What is wrong, in English, without the location.
        pointer: RFC 6901 JSON pointer to the offending member of the policy document
            (``""`` is the document itself). For a missing member it points at the
            object that lacks it, as JSON Schema validators do.
    """

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(f"{message} (at {pointer or '/'})")
        self.message = message
        self.pointer = pointer


class PolicySyntaxError(PolicyError):
    """The document is not an ODRL 2.2 policy in the JSON-LD form we accept."""


class UnsupportedPolicyFeature(PolicyError):
    """The document is valid ODRL but uses a feature this package deliberately leaves out."""
