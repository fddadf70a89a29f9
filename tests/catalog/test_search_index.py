"""The search index's maintained facet counts always equal a recount of the datasets."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from sqlmodel import select

from catalog import datasets
from catalog.importer import import_datasets
from catalog.models import Dataset, Organization
from catalog.principals import Principal
from catalog.search import (
    _MOST_EXPANSIONS,
    ParsedQuery,
    PostgresText,
    SearchQuery,
    _index_driven,
    facet_condition,
    inflections,
    parse_query,
    words,
)
from tests.conftest import SYSTEM, dataset_document


def recount(session):
    """Facet counts computed the slow way, from the dataset rows themselves."""
    orgs = {o.id: o.name for o in session.exec(select(Organization)).all()}
    counts = {name: Counter() for name in ("publisher", "country", "theme", "status")}
    for d in session.exec(select(Dataset)).all():
        counts["publisher"][orgs[d.publisher_id]] += 1
        counts["country"][d.country] += 1
        counts["status"][d.status] += 1
        for theme in d.document.get("themes", []):
            counts["theme"][theme] += 1
    return counts


def assert_counts_are_true(session):
    page = datasets.search_datasets(
        session, actor=SYSTEM, filters={"status": ["draft", "published", "withdrawn"]}
    )
    expected = recount(session)
    for name, counter in expected.items():
        assert page.facets[name] == dict(counter), name
    stored = session.execute(text("SELECT sum(dataset_count) FROM search_facet")).scalar() or 0
    assert stored == sum(expected["status"].values())
    negative = session.execute(text("SELECT count(*) FROM search_facet WHERE dataset_count < 0"))
    assert negative.scalar() == 0


def test_counts_follow_every_change(session, make_org, make_dataset):
    make_org("mintrab-gt")
    make_org("stps-mx", country="MEX")
    make_dataset("a", "mintrab-gt", publish=False)
    make_dataset("b", "mintrab-gt", themes=["employment", "labour-migration"])
    make_dataset("c", "stps-mx", themes=["labour-migration"])
    assert_counts_are_true(session)
    datasets.publish_dataset(session, actor=SYSTEM, name="a")
    datasets.update_dataset(
        session,
        actor=SYSTEM,
        name="b",
        document=dataset_document("b", "mintrab-gt", themes=["informality"]),
        if_match=1,
    )
    datasets.withdraw_dataset(session, actor=SYSTEM, name="c", reason="superseded")
    make_dataset("d", "stps-mx", publish=False)
    datasets.delete_draft(session, actor=SYSTEM, name="d")
    assert_counts_are_true(session)
    import_datasets(
        session,
        actor=SYSTEM,
        records=[dataset_document(f"i-{n}", "stps-mx", themes=["employment"]) for n in range(25)],
    )
    assert_counts_are_true(session)


def test_a_rolled_back_change_leaves_the_counts_alone(session, make_org, make_dataset):
    make_org("mintrab-gt")
    make_dataset("a", "mintrab-gt")
    before = recount(session)
    dataset = session.exec(select(Dataset).where(Dataset.name == "a")).one()
    dataset.document = {**dataset.document, "themes": ["child-labour"]}
    datasets.reindex(session, [dataset])
    session.rollback()
    assert recount(session) == before
    assert_counts_are_true(session)


def test_only_words_a_query_can_ask_for_are_indexed(session, make_org, make_dataset):
    """Hyphenated names, versions and URLs are indexed as their words, on both backends."""
    make_org("mintrab-gt")
    make_dataset("registro-permisos-trabajo-2021", "mintrab-gt")
    assert words("Asistencia-Consular v1.0 https://mintrab.gob.gt/Año") == (
        "asistencia consular v1 0 https mintrab gob gt ano"
    )
    for query in ("permisos", "registro trabajo 2021", '"registro permisos trabajo"'):
        page = datasets.search_datasets(session, actor=SYSTEM, text=query)
        assert [d.name for d in page.datasets] == ["registro-permisos-trabajo-2021"], query
    if session.get_bind().dialect.name == "postgresql":
        lexemes = session.execute(
            text("SELECT lexeme FROM dataset_search, unnest(document)")
        ).scalars()
        assert all(re.fullmatch("[0-9a-z]+", lexeme) for lexeme in lexemes)


def test_the_tsquery_written_into_sql_holds_only_words_and_operators():
    parsed = parse_query('Migración "trabajo infantil" 2019')
    assert PostgresText.tsquery_literal(parsed) == (
        "to_tsquery('simple', 'migracion:* & 2019:* & (trabajo <-> infantil)')"
    )
    forged = ParsedQuery(terms=("x') OR ('1",), phrases=())
    with pytest.raises(ValueError, match="unexpected characters"):
        PostgresText.tsquery_literal(forged)


def test_broad_and_narrow_filters_find_the_same_datasets(session, make_org, make_dataset):
    """A filter allowing most of the catalog is tested per row, a narrow one by index."""
    make_org("mintrab-gt")
    make_org("stps-mx", country="MEX")
    for n in range(8):
        make_dataset(f"encuesta-gt-{n}", "mintrab-gt")
    make_dataset("encuesta-mx", "stps-mx")
    make_dataset("borrador-mx", "stps-mx", publish=False)
    broad = facet_condition(SearchQuery(filters={"country": ("GTM",)})).resolve(session)
    narrow = facet_condition(SearchQuery(filters={"country": ("MEX",)})).resolve(session)
    assert not broad.selective
    assert broad.combo_in("s.combo").startswith(" AND s.combo + 0 IN (")
    assert narrow.selective
    assert narrow.combo_in("s.combo").startswith(" AND s.combo IN (")
    for country, expected in (("GTM", 8), ("MEX", 2)):
        for text_query in ("encuesta", None):
            page = datasets.search_datasets(
                session, actor=SYSTEM, text=text_query, filters={"country": [country]}
            )
            assert page.total == expected
            assert {d.country for d in page.datasets} == {country}
    # An anonymous caller never sees the draft, whichever form the condition takes.
    page = datasets.search_datasets(session, actor=Principal.anonymous(), text="borrador")
    assert page.total == 0


def test_a_failing_search_statement_reports_its_own_error(session):
    """The planner setting around text searches neither hides errors nor outlives them."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL run only")
    with pytest.raises(ProgrammingError, match="no_such_table"):
        _index_driven(session, "SELECT * FROM no_such_table", {})
    session.rollback()
    shown = ", ".join(
        f"current_setting('{name}')" for name in ("enable_seqscan", "enable_indexscan")
    )
    assert tuple(session.execute(text(f"SELECT {shown}")).one()) == ("on", "on")
    # Set for the statement only, which may take parameters like any other.
    assert _index_driven(session, f"SELECT {shown}, :n", {"n": 7}) == [("off", "off", 7)]
    assert tuple(session.execute(text(f"SELECT {shown}")).one()) == ("on", "on")


def test_prefix_terms_are_written_as_the_words_they_expand_to():
    parsed = parse_query("migr encuestas")
    assert PostgresText.tsquery_literal(parsed, {"migr": ["migracion", "migrante"]}) == (
        "to_tsquery('simple', '(migracion | migrante) & (encuestas:* | encuesta)')"
    )


def test_a_term_that_begins_no_indexed_word_finds_nothing(session, make_org, make_dataset):
    """Even beside a term that matches everything, on both backends."""
    make_org("mintrab-gt")
    make_dataset("enei-2024", "mintrab-gt")
    assert datasets.search_datasets(session, actor=SYSTEM, text="encuesta").total == 1
    page = datasets.search_datasets(session, actor=SYSTEM, text="encuesta qqzz")
    assert (page.total, page.datasets, sum(page.facets["country"].values())) == (0, [], 0)


def test_the_lexicon_grows_with_every_new_word(session, make_org, make_dataset):
    """PostgreSQL expands prefixes from a lexicon: a new word is findable at once."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL run only")
    make_org("mintrab-gt")
    make_dataset("enei-2024", "mintrab-gt")
    assert datasets.search_datasets(session, actor=SYSTEM, text="zacapaneco").total == 0
    make_dataset(
        "vacantes-zacapa",
        "mintrab-gt",
        keywords={"es": ["zacapanecos", "zacapanecas"], "en": ["Zacapa"]},
    )
    expansions = PostgresText.expansions(session, parse_query("zacapaneco encuesta"))
    # The term begins "zacapanecos"; "zacapanecas" is its other gender.
    assert expansions == {"zacapaneco": ["zacapanecos", "zacapanecas"], "encuesta": ["encuesta"]}
    page = datasets.search_datasets(session, actor=SYSTEM, text="zacapaneco")
    assert [d.name for d in page.datasets] == ["vacantes-zacapa"]
    stored = session.execute(text("SELECT word FROM search_word")).scalars().all()
    assert {"zacapanecos", "zacapanecas", "zacapa", "encuesta"} <= set(stored)
    assert all(re.fullmatch("[0-9a-z]+", word) for word in stored)


def test_a_prefix_of_too_many_words_stays_a_prefix(session, make_org, make_dataset):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL run only")
    make_org("mintrab-gt")
    codes = [f"ciuo{n:03d}" for n in range(_MOST_EXPANSIONS + 1)]
    make_dataset("ocupaciones", "mintrab-gt", keywords={"es": codes, "en": ["occupations"]})
    parsed = parse_query("ciuo ciuo00")
    expansions = PostgresText.expansions(session, parsed)
    assert expansions == {"ciuo": ["ciuo:*"], "ciuo00": [f"ciuo{n:03d}" for n in range(10)]}
    assert PostgresText.tsquery(parsed, expansions).startswith("(ciuo:*) & (ciuo000 | ciuo001")
    page = datasets.search_datasets(session, actor=SYSTEM, text="ciuo ciuo00")
    assert [d.name for d in page.datasets] == ["ocupaciones"]


def test_matches_of_hidden_combinations_never_reach_the_page(session, make_org, make_dataset):
    """Filters and visibility hold whether the page leaves out the few hidden
    combinations that matched or keeps the few shown ones."""
    make_org("mintrab-gt")
    make_org("stps-mx", country="MEX")
    for n in range(3):
        make_dataset(f"encuesta-gt-{n}", "mintrab-gt")
    make_dataset("encuesta-mx", "stps-mx")
    make_dataset("encuesta-borrador", "stps-mx", publish=False, themes=["informality"])
    anonymous = Principal.anonymous()
    everyone = datasets.search_datasets(session, actor=anonymous, text="encuesta", limit=2)
    assert everyone.total == 4
    assert sum(everyone.facets["status"].values()) == 4
    listed = {
        d.name
        for offset in (0, 2)
        for d in datasets.search_datasets(
            session, actor=anonymous, text="encuesta", limit=2, offset=offset
        ).datasets
    }
    assert listed == {"encuesta-gt-0", "encuesta-gt-1", "encuesta-gt-2", "encuesta-mx"}
    guatemala = datasets.search_datasets(
        session, actor=anonymous, text="encuesta", filters={"country": ["GTM"]}
    )
    assert {d.name for d in guatemala.datasets} == {f"encuesta-gt-{n}" for n in range(3)}
    assert guatemala.facets["country"] == {"GTM": 3}


def test_hidden_matches_ranked_first_leave_the_page_full(session, make_org, make_dataset):
    """Drafts that outrank every visible match take no place on an anonymous page."""
    make_org("mintrab-gt")
    for n in range(3):
        make_dataset(f"visible-{n}", "mintrab-gt")
    loud = {"es": "Remesas remesas remesas", "en": "Remittances"}
    for n in range(4):
        make_dataset(
            f"hidden-{n}",
            "mintrab-gt",
            publish=False,
            title=loud,
            keywords={"es": ["remesas"], "en": ["remittances"]},
        )
    make_dataset("visible-remesas", "mintrab-gt", title={"es": "Remesas", "en": "Remittances"})
    steward_view = datasets.search_datasets(session, actor=SYSTEM, text="remesas", limit=2)
    assert {d.name for d in steward_view.datasets} <= {f"hidden-{n}" for n in range(4)}
    anonymous = Principal.anonymous()
    for offset, expected in ((0, ["visible-remesas"]), (1, [])):
        page = datasets.search_datasets(
            session, actor=anonymous, text="remesas", limit=1, offset=offset
        )
        assert page.total == 1
        assert [d.name for d in page.datasets] == expected
    everything = datasets.search_datasets(session, actor=anonymous, text="empleo", limit=2)
    assert everything.total == 4
    names = [d.name for d in everything.datasets]
    names += [
        d.name
        for d in datasets.search_datasets(
            session, actor=anonymous, text="empleo", limit=2, offset=2
        ).datasets
    ]
    assert sorted(names) == ["visible-0", "visible-1", "visible-2", "visible-remesas"]


def test_writers_adding_the_same_new_word_do_not_wait_for_each_other(
    db, session, make_org, make_dataset
):
    """Two open transactions index the same new word: neither waits, it is read once.

    Write sessions are serialised up front (catalog.db), so plain sessions stand in for
    writers here: the lexicon itself must never make one transaction wait for another.
    """
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL run only")
    make_org("mintrab-gt")
    names = ("vacantes-a", "vacantes-b")
    created = {name: make_dataset(name, "mintrab-gt") for name in names}
    session.commit()
    index = PostgresText()
    first, second = db.new_session(), db.new_session()
    try:
        for writer, name in ((first, names[0]), (second, names[1])):
            writer.execute(text("SET LOCAL lock_timeout = '2s'"))
            dataset = created[name]
            combo = index.delete(writer, [dataset.id])[dataset.id]
            publisher = writer.get(Organization, dataset.publisher_id)
            entry = datasets.index_entry(dataset, publisher)
            renamed = dataclasses.replace(entry, keywords="quetzaltecos")
            index.insert(writer, [(renamed, combo)])  # the second must not wait for the first
        first.commit()
        second.commit()
    finally:
        first.close()
        second.close()
    session.expire_all()
    stored = session.execute(text("SELECT word FROM search_word WHERE word = 'quetzaltecos'"))
    assert len(stored.all()) == 2  # both transactions added it
    expansions = PostgresText.expansions(session, parse_query("quetzalteco"))
    assert expansions == {"quetzalteco": ["quetzaltecos"]}
    page = datasets.search_datasets(session, actor=SYSTEM, text="quetzalteco")
    assert {d.name for d in page.datasets} == set(names)


@pytest.mark.parametrize(
    ("term", "forms"),
    [
        ("retornados", {"retornado", "retornada", "retornadas"}),
        ("trabajadores", {"trabajador", "trabajadora", "trabajadoras"}),
        ("inspecciones", {"inspeccion"}),
        ("luces", {"luz"}),
        ("countries", {"country"}),
        ("migrants", {"migrant", "migrantes"}),
        ("fronterizo", {"fronteriza", "fronterizas"}),
        ("extranjeras", {"extranjero", "extranjeros", "extranjera"}),
        ("plazas", {"plaza"}),
        ("migratorio", {"migratoria", "migratorias"}),
        ("funcionarias", {"funcionario", "funcionarios"}),
        ("nuevas", {"nuevo", "nuevos"}),
    ],
)
def test_inflections_give_the_other_forms_of_a_word(term, forms):
    assert forms <= set(inflections(term))
    assert not any(form.startswith(term) for form in inflections(term))


@pytest.mark.parametrize("term", ["gtm", "mes", "2019", "ciuo08", "migracion", "consular"])
def test_short_words_codes_and_words_without_endings_have_no_other_forms(term):
    assert inflections(term) == ()


@pytest.mark.parametrize(
    ("term", "other_word"),
    [
        ("plazo", "plaza"),
        ("plazas", "plazos"),
        ("casos", "casa"),
        ("empleo", "emplea"),
        ("trabajo", "trabaja"),
    ],
)
def test_a_word_whose_ending_is_not_a_gender_keeps_its_own(term, other_word):
    assert other_word not in inflections(term)
