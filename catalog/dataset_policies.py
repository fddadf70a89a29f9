"""A dataset's ODRL offer: set it from a template or as JSON-LD, read it, revision by revision.

An offer is accepted only if the catalog can stand behind every decision made with it:

1. it is valid against ``urn:simel:schema:odrl-policy:1.0``;
2. :func:`policies.from_jsonld` reads it (its :class:`~policies.PolicyError` carries the
   JSON Pointer of the offending member);
3. it is an ``Offer`` whose ``assigner`` is the publisher and whose ``target`` names the
   dataset (both by the IRIs the catalog mints, see :mod:`catalog.iris`);
4. the engine can evaluate every constraint in it (:attr:`policies.CompiledPolicy.issues`
   is empty): an unevaluable constraint never holds, so in a prohibition it would fail
   open, and such a policy is never stored.

It is stored in the canonical compact form of :func:`policies.to_jsonld`, which a policy
already in that form comes back unchanged from, and any other accepted document comes
back as the same RDF graph. Every change adds a revision (the old ones are kept, for the
access requests and agreements made against them) and an audit event.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

import metadata_schemas
from catalog import audit
from catalog.datasets import check_revision, get_dataset
from catalog.db import utcnow
from catalog.errors import FieldError, InvalidMetadata, NotFound, PreconditionFailed
from catalog.iris import dataset_iri, default_offer_iri, organization_iri
from catalog.models import Dataset, DatasetPolicy, Organization
from catalog.policy_templates import TEMPLATES, TemplateContext, parameter_errors
from catalog.principals import Principal
from catalog.stewardship import governed_dataset
from catalog.validation import require_object, schema_errors
from policies import Policy, PolicyError, PolicyType, compile_policy, from_jsonld, to_jsonld

_TEMPLATE_BODY = {"template", "parameters"}


@dataclass(frozen=True)
class PreparedPolicy:
    """A checked offer, ready to store."""

    policy: Policy
    document: dict[str, Any]
    template: str | None = None
    parameters: dict[str, Any] | None = None


def _invalid(errors: list[FieldError], prefix: str) -> InvalidMetadata:
    return InvalidMetadata(
        "the policy is not valid",
        [FieldError(prefix + e.pointer, e.detail, e.extra) for e in errors],
    )


def _from_template(
    session: Session,
    body: Mapping[str, Any],
    context: TemplateContext,
    prefix: str,
) -> PreparedPolicy:
    unexpected = sorted(set(body) - _TEMPLATE_BODY)
    if unexpected:
        raise _invalid(
            [FieldError(f"/{k}", "is not a member of a template request") for k in unexpected],
            prefix,
        )
    name = body["template"]
    template = TEMPLATES.get(name) if isinstance(name, str) else None
    if template is None:
        close = difflib.get_close_matches(str(name), list(TEMPLATES), n=3)
        raise _invalid(
            [
                FieldError(
                    "/template",
                    f"no template is named {name!r}; the templates are {', '.join(TEMPLATES)}",
                    {"suggestions": close},
                )
            ],
            prefix,
        )
    parameters = body.get("parameters", {})
    errors = parameter_errors(template, parameters)
    if not errors and template.organization_parameters:
        named = [n for p in template.organization_parameters for n in parameters.get(p, ())]
        known = {
            org.name: org
            for org in session.exec(
                select(Organization).where(col(Organization.name).in_(named))
            ).all()
        }
        errors = [
            FieldError(f"/parameters/{p}/{i}", f"no organization is named '{n}'")
            for p in template.organization_parameters
            for i, n in enumerate(parameters.get(p, ()))
            if n not in known
        ]
        context = TemplateContext(
            context.uid, context.assigner, context.target, context.base_uri, known
        )
    if errors:
        raise _invalid(errors, prefix)
    try:
        policy = template.build(context, parameters)
    except ValueError as exc:  # the template's own checks (e.g. a duration it cannot read)
        raise _invalid([FieldError("/parameters", str(exc))], prefix) from exc
    # Templates are code under test (no issues for any valid parameters), so the engine
    # check of step 4 is not repeated here; bulk imports rely on that.
    return PreparedPolicy(policy, to_jsonld(policy), template.name, dict(parameters))


def _from_jsonld(
    body: Mapping[str, Any], *, assigner: str, target: str, prefix: str
) -> PreparedPolicy:
    errors = schema_errors(metadata_schemas.ODRL_POLICY_SCHEMA, body)
    if errors:
        raise _invalid(errors, prefix)
    try:
        policy = from_jsonld(body)
    except PolicyError as exc:
        raise _invalid([FieldError(exc.pointer, exc.message)], prefix) from exc
    type_member = "/@type" if "@type" in body else "/type"
    if policy.type is not PolicyType.OFFER:
        errors.append(
            FieldError(
                type_member,
                f"a dataset's policy is an Offer (this is a {policy.type.value}); agreements "
                "are made from the offer",
            )
        )
    if policy.assigner != assigner:
        errors.append(
            FieldError("/assigner", f"the offer's assigner must be the publisher, {assigner}")
        )
    if target not in policy.targets:
        errors.append(FieldError("/target", f"the offer must name the dataset as target: {target}"))
    errors.extend(
        FieldError(
            issue.pointer,
            f"{issue.message}; a constraint the engine cannot evaluate never holds "
            "(a prohibition would fail open), so the policy is refused",
        )
        for issue in compile_policy(policy).issues
    )
    if errors:
        raise _invalid(errors, prefix)
    return PreparedPolicy(policy, to_jsonld(policy))


def prepare_policy(
    session: Session,
    *,
    name: str,
    publisher: Organization,
    body: Any,
    base_uri: str,
    prefix: str = "",
) -> PreparedPolicy:
    """Check an offer for the dataset ``name``: ``{"template", "parameters"}`` or JSON-LD.

    Raises:
        InvalidMetadata: any check of the module docstring fails; pointers are into
            ``body`` (after ``prefix``).
    """
    body = require_object(body, "policy")
    target = dataset_iri(base_uri, name)
    assigner = organization_iri(base_uri, publisher.name)
    if "template" in body and "@context" not in body:
        context = TemplateContext(default_offer_iri(base_uri, name), assigner, target, base_uri, {})
        return _from_template(session, body, context, prefix)
    return _from_jsonld(body, assigner=assigner, target=target, prefix=prefix)


def current_policy(session: Session, dataset_id: Any) -> DatasetPolicy | None:
    """The dataset's policy (its highest revision), if it has one."""
    return session.exec(
        select(DatasetPolicy)
        .where(DatasetPolicy.dataset_id == dataset_id)
        .order_by(col(DatasetPolicy.revision).desc())
        .limit(1)
    ).first()


def get_policy(session: Session, *, actor: Principal, name: str) -> tuple[Dataset, DatasetPolicy]:
    """The offer of a dataset the caller can see.

    Raises:
        NotFound: no such dataset visible to the caller, or it has no policy.
    """
    dataset = get_dataset(session, actor=actor, name=name)
    policy = current_policy(session, dataset.id)
    if policy is None:
        raise NotFound(f"'{name}' has no offer policy")
    return dataset, policy


def store(
    session: Session,
    *,
    actor: Principal,
    dataset: Dataset,
    prepared: PreparedPolicy,
    revision: int,
) -> DatasetPolicy:
    """Add ``prepared`` as revision ``revision`` of the dataset's policy, audited (no commit)."""
    row = DatasetPolicy(
        dataset_id=dataset.id,
        revision=revision,
        uid=prepared.policy.uid,
        policy_type=prepared.policy.type.value,
        document=prepared.document,
        template=prepared.template,
        parameters=prepared.parameters,
        created=utcnow(),
        created_by=actor.name,
    )
    session.add(row)
    session.flush()
    details: dict[str, Any] = {"dataset": dataset.name, "revision": revision, "uid": row.uid}
    if prepared.template:
        details["template"] = prepared.template
        details["parameters"] = prepared.parameters
    audit.record(
        session,
        actor=actor,
        action="policy.set",
        object_type="policy",
        object_id=dataset.name,
        organization_id=dataset.publisher_id,
        details=details,
    )
    return row


def set_policy(
    session: Session,
    *,
    actor: Principal,
    name: str,
    body: Any,
    if_match: int | None,
    base_uri: str,
) -> tuple[DatasetPolicy, bool]:
    """Set the dataset's offer from a template or ODRL JSON-LD; returns it and whether it is new.

    The first policy needs no If-Match; replacing one does. Submitting the current
    policy again changes nothing.

    Raises:
        Unauthenticated: anonymous caller.
        NotFound: no such dataset visible to the caller.
        Forbidden: the caller may not write the dataset's governance records.
        PreconditionRequired: a policy exists and no If-Match was sent.
        PreconditionFailed: stale If-Match, or If-Match when there is no policy yet.
        InvalidMetadata: the policy fails a check (module docstring), with pointers.
    """
    dataset, publisher = governed_dataset(session, actor=actor, name=name)
    current = current_policy(session, dataset.id)
    if current is None:
        if if_match is not None:
            raise PreconditionFailed(
                f"'{name}' has no policy yet: send no If-Match to set the first one"
            )
    else:
        check_revision(current.revision, if_match, "policy", required=True)
    prepared = prepare_policy(session, name=name, publisher=publisher, body=body, base_uri=base_uri)
    if current is not None and current.document == prepared.document:
        return current, False
    row = store(
        session,
        actor=actor,
        dataset=dataset,
        prepared=prepared,
        revision=(current.revision + 1) if current else 1,
    )
    session.commit()
    return row, True
