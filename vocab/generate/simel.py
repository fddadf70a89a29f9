"""The SIMEL region's own schemes, from ``vocab/sources/simel_schemes.toml``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from vocab.generate.common import LICENSE_APACHE_2, Draft, assemble, load_toml
from vocab.model import SIMEL_NS, ConceptScheme, Note, VocabularyError

#: Scheme names, in manifest order.
SCHEMES: Final = (
    "simel-themes",
    "collection-methods",
    "geographic-levels",
    "personal-data-classes",
)


def _resolve(reference: str, others: Mapping[str, ConceptScheme]) -> str:
    """Turn ``"scheme:code"`` into the concept IRI; keep full IRIs as they are."""
    if reference.startswith(("http://", "https://")):
        return reference
    scheme, _, code = reference.partition(":")
    if scheme not in others or code not in others[scheme]:
        raise VocabularyError(f"unresolved mapping {reference!r}")
    return others[scheme][code].iri


def _build_one(
    name: str, spec: dict[str, Any], others: Mapping[str, ConceptScheme]
) -> ConceptScheme:
    base = f"{SIMEL_NS}{spec['segment']}"
    drafts = []
    for item in spec["concepts"]:
        draft = Draft(code=item["code"], iri=f"{base}/{item['code']}")
        draft.labels = dict(item["label"])
        for lang, texts in item.get("alt", {}).items():
            for text in texts:
                draft.add_alt(lang, text)
        draft.definitions = dict(item.get("definition", {}))
        draft.broader = list(item.get("broader", []))
        draft.exact_matches = [_resolve(r, others) for r in item.get("exact_match", [])]
        draft.close_matches = [_resolve(r, others) for r in item.get("close_match", [])]
        draft.broad_matches = [_resolve(r, others) for r in item.get("broad_match", [])]
        drafts.append(draft)
    return assemble(
        name=name,
        iri=base,
        titles=spec["title"],
        descriptions=spec["description"],
        drafts=drafts,
        version=spec["version"],
        sources=(),
        license=LICENSE_APACHE_2,
        notes=[
            Note(
                "editorial",
                "Defined by SIMEL Catalog for the labour-market information systems of "
                "Guatemala, El Salvador, Honduras, Mexico and Belize "
                "(vocab/sources/simel_schemes.toml).",
                "en",
            ),
        ],
    )


def build(others: Mapping[str, ConceptScheme]) -> list[ConceptScheme]:
    """Build the SIMEL schemes.

    Args:
        others: already built schemes, by name, that mappings may point to
            (``data-themes``, ``migration-concepts``).

    Returns:
        The schemes, in :data:`SCHEMES` order.

    Raises:
        VocabularyError: a mapping to an unknown scheme or concept.
    """
    specs = load_toml("simel_schemes")
    return [_build_one(name, specs[name], others) for name in SCHEMES]
