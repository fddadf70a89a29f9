"""Listing, full-text search, filters, facets and paging."""

from __future__ import annotations

import pytest

from tests.conftest import AGGREGATES_OFFER, bearer, legal_basis_document


@pytest.fixture
def catalog(make_org, make_dataset):
    make_org("mintrab-gt", country="GTM")
    make_org("dgme-sv", country="SLV", kind="migration-authority")
    make_dataset(
        "retornados-sv",
        "dgme-sv",
        title={"es": "Migración de retorno: personas salvadoreñas", "en": "Returned Salvadorans"},
        description={
            "es": "Registro administrativo de la DGME.",
            "en": "Return migration register.",
        },
        themes=["return-and-reintegration", "labour-migration"],
        access_rights="RESTRICTED",
        personal_data="sensitive",
        keywords={"es": ["retornados"], "en": ["returnees"]},
        legal_basis=legal_basis_document(jurisdictions=["SLV"]),
        policy=AGGREGATES_OFFER,
    )
    make_dataset(
        "permisos-gt",
        "mintrab-gt",
        title={"es": "Permisos de trabajo a extranjeros", "en": "Work permits for foreigners"},
        description={"es": "Permisos otorgados, con datos de MIGRACIÓN laboral.", "en": "Permits."},
        themes=["labour-migration"],
        keywords={"es": ["permisos"], "en": ["permits"]},
    )
    make_dataset(
        "albaniles-gt",
        "mintrab-gt",
        title={"es": "Albañiles y peones de la construcción", "en": "Bricklayers and labourers"},
        description={"es": "Ocupaciones de la construcción.", "en": "Construction occupations."},
        themes=["employment"],
        keywords={"es": ["construcción"], "en": ["construction"]},
    )
    make_dataset(
        "borrador-gt",
        "mintrab-gt",
        publish=False,
        title={"es": "Migración borrador", "en": "Draft migration"},
    )


def names(response):
    return [item["name"] for item in response.json["items"]]


@pytest.mark.usefixtures("catalog")
class TestFullText:
    def test_accent_and_case_insensitive(self, client):
        for query in ("migracion", "MIGRACIÓN", "Migración", "migración"):
            response = client.get("/api/v1/datasets", query_string={"q": query})
            assert set(names(response)) == {"retornados-sv", "permisos-gt"}, query

    def test_enye_folds(self, client):
        assert names(client.get("/api/v1/datasets?q=albanil")) == ["albaniles-gt"]

    def test_english_words_and_prefixes(self, client):
        assert names(client.get("/api/v1/datasets?q=return")) == ["retornados-sv"]
        assert names(client.get("/api/v1/datasets?q=permit")) == ["permisos-gt"]

    def test_terms_combine_with_and_and_stopwords_are_ignored(self, client):
        assert names(client.get("/api/v1/datasets?q=migración de retorno")) == ["retornados-sv"]
        assert names(client.get("/api/v1/datasets?q=permisos construcción")) == []

    def test_title_matches_rank_above_description_matches(self, client):
        response = client.get("/api/v1/datasets?q=migracion")
        assert names(response) == ["retornados-sv", "permisos-gt"]

    @pytest.mark.parametrize("query", ["中文", "шалом", "שלום", "😀", '"中文"'])
    def test_words_the_index_cannot_hold_find_nothing(self, client, query):
        # They once reduced to an empty query, which listed the whole catalog.
        response = client.get("/api/v1/datasets", query_string={"q": query})
        assert response.status_code == 200
        assert (response.json["total"], response.json["items"]) == (0, [])
        assert all(counts == [] for counts in response.json["facets"].values())

    def test_such_words_beside_searchable_ones_are_left_out_as_stopwords_are(self, client):
        assert names(client.get("/api/v1/datasets?q=albañil 中文")) == ["albaniles-gt"]
        everything = client.get("/api/v1/datasets?q=de la ¿?").json["total"]
        assert everything == client.get("/api/v1/datasets").json["total"] > 0

    def test_phrases(self, client):
        assert names(client.get('/api/v1/datasets?q="migracion de retorno"')) == ["retornados-sv"]
        assert names(client.get('/api/v1/datasets?q="datos de migracion"')) == ["permisos-gt"]
        assert names(client.get('/api/v1/datasets?q="retorno migracion"')) == []

    def test_drafts_only_for_their_organization(self, client, make_user):
        _, token = make_user("ana", steward="mintrab-gt")
        assert "borrador-gt" not in names(client.get("/api/v1/datasets?q=migracion"))
        assert "borrador-gt" in names(
            client.get("/api/v1/datasets?q=migracion", headers=bearer(token))
        )

    def test_hostile_query_syntax_is_harmless(self, client):
        for query in (
            '"',
            "*",
            "AND OR NOT",
            "NEAR(",
            "title:x",
            "'; DROP TABLE dataset; --",
            "%",
            "😀",
        ):
            response = client.get("/api/v1/datasets", query_string={"q": query})
            assert response.status_code == 200, query

    def test_facets_count_all_matches(self, client):
        facets = client.get("/api/v1/datasets?q=migracion").json["facets"]
        counts = {name: {f["value"]: f["count"] for f in values} for name, values in facets.items()}
        assert counts["publisher"] == {"dgme-sv": 1, "mintrab-gt": 1}
        assert counts["country"] == {"GTM": 1, "SLV": 1}
        assert counts["theme"] == {"labour-migration": 2, "return-and-reintegration": 1}
        assert counts["access_rights"] == {"PUBLIC": 1, "RESTRICTED": 1}
        assert counts["personal_data"] == {"none": 1, "sensitive": 1}
        assert counts["status"] == {"published": 2}
        labels = {f["value"]: f.get("label") for f in facets["publisher"]}
        assert labels["dgme-sv"] == {"es": "Institución dgme-sv", "en": "Institution dgme-sv"}
        themes = {f["value"]: f.get("label") for f in facets["theme"]}
        assert themes["labour-migration"]["es"] == "Migración laboral"
        countries = {f["value"]: f.get("label") for f in facets["country"]}
        assert countries["SLV"] == {"es": "El Salvador", "en": "El Salvador"}
        # Every facet is labelled in both languages, the statuses too.
        statuses = {f["value"]: f.get("label") for f in facets["status"]}
        assert statuses["published"] == {"es": "Publicado", "en": "Published"}


@pytest.mark.usefixtures("catalog")
class TestFilters:
    @pytest.mark.parametrize("q", [None, "migracion"])
    def test_filters_with_and_without_text(self, client, q):
        base = {"q": q} if q else {}
        assert names(client.get("/api/v1/datasets", query_string={**base, "country": "SLV"})) == [
            "retornados-sv"
        ]
        assert set(
            names(
                client.get("/api/v1/datasets", query_string={**base, "theme": "labour-migration"})
            )
        ) == {"retornados-sv", "permisos-gt"}
        assert names(
            client.get("/api/v1/datasets", query_string={**base, "access_rights": "RESTRICTED"})
        ) == ["retornados-sv"]
        assert names(
            client.get("/api/v1/datasets", query_string={**base, "personal_data": "sensitive"})
        ) == ["retornados-sv"]
        both = client.get(
            "/api/v1/datasets", query_string={**base, "publisher": "dgme-sv,mintrab-gt"}
        )
        assert len(names(both)) == (2 if q else 3)
        none = client.get(
            "/api/v1/datasets", query_string={**base, "publisher": "dgme-sv", "country": "GTM"}
        )
        assert names(none) == []

    @pytest.mark.parametrize("q", [None, "migracion"])
    def test_coded_filters_take_any_spelling_of_the_code(self, client, q):
        base = {"q": q} if q else {}
        for query in (
            {"country": "slv"},
            {"country": "SV"},  # alpha-2, as the vocabulary knows it
            {"access_rights": "restricted"},
            {"personal_data": "SENSITIVE"},
            {"theme": "Return-And-Reintegration"},
            {"status": "Published", "country": "SLV"},
            {"publisher": "DGME-SV"},
        ):
            response = client.get("/api/v1/datasets", query_string={**base, **query})
            assert names(response) == ["retornados-sv"], query
        links = client.get("/api/v1/datasets?country=slv").json["links"]
        assert "country=slv" in links["self"]

    @pytest.mark.parametrize(
        ("query", "detail"),
        [
            ("country=XYZ", "country: 'XYZ' is not a code of"),
            ("access_rights=publico", "access_rights: 'publico' is not a code of"),
            ("theme=employmnet", "did you mean 'employment'"),
            ("status=archived", "status: 'archived' is not one of draft, published, withdrawn"),
            ("publisher=dgme-gt", "publisher: no organization is named 'dgme-gt'; did you mean"),
        ],
    )
    def test_unknown_codes_in_filters_are_400_not_an_empty_page(self, client, query, detail):
        for path in ("/api/v1/datasets", "/catalog"):
            response = client.get(f"{path}?{query}")
            assert response.status_code == 400, path
            assert response.mimetype == "application/problem+json"
            assert detail in response.json["detail"]

    def test_browse_facets(self, client):
        facets = client.get("/api/v1/datasets").json["facets"]
        themes = {f["value"]: f["count"] for f in facets["theme"]}
        assert themes == {"labour-migration": 2, "return-and-reintegration": 1, "employment": 1}

    def test_sort_by_title_and_name(self, client):
        assert names(client.get("/api/v1/datasets?sort=name")) == [
            "albaniles-gt",
            "permisos-gt",
            "retornados-sv",
        ]
        assert names(client.get("/api/v1/datasets?sort=title")) == [
            "albaniles-gt",
            "retornados-sv",
            "permisos-gt",
        ]
        assert names(client.get("/api/v1/datasets?q=migracion&sort=name")) == [
            "permisos-gt",
            "retornados-sv",
        ]
        assert client.get("/api/v1/datasets?sort=random").status_code == 400

    def test_paging_and_links(self, client):
        first = client.get("/api/v1/datasets?sort=name&page_size=2")
        assert first.json["total"] == 3
        assert names(first) == ["albaniles-gt", "permisos-gt"]
        assert "next" in first.json["links"]
        assert "prev" not in first.json["links"]
        assert 'rel="next"' in first.headers["Link"]
        second = client.get(first.json["links"]["next"])
        assert names(second) == ["retornados-sv"]
        assert "next" not in second.json["links"]
        beyond = client.get("/api/v1/datasets?page=9")
        assert beyond.status_code == 200
        assert beyond.json["items"] == []

    @pytest.mark.parametrize(
        "query",
        [
            "page=0",
            "page=x",
            "page_size=0",
            "page_size=1000",
            # int() would read all of these as 1 or 2:
            "page=%2B1",
            "page=%201",
            "page=0_1",
            "page=%EF%BC%92",  # full-width 2
            "page_size=%D9%A2",  # Arabic-Indic 2
            "page=1&page=2",
            "min_quality=%2B5",
            "min_quality=-1",
        ],
    )
    def test_bad_paging_is_400(self, client, query):
        response = client.get(f"/api/v1/datasets?{query}")
        assert response.status_code == 400
        assert response.mimetype == "application/problem+json"
        assert "page" in response.json["detail"] or "min_quality" in response.json["detail"]

    def test_a_long_number_is_out_of_range_not_malformed(self, client):
        response = client.get("/api/v1/datasets?page=" + "9" * 40)
        assert response.json["detail"] == "page must be between 1 and 100000"
        assert names(
            client.get("/api/v1/datasets?sort=name&page=" + "0" * 30 + "2&page_size=2")
        ) == ["retornados-sv"]

    def test_leading_zeros_are_still_a_number(self, client):
        assert names(client.get("/api/v1/datasets?sort=name&page=02&page_size=002")) == [
            "retornados-sv"
        ]


def test_absurd_page_numbers_are_400_not_500(client):
    response = client.get("/api/v1/datasets?page=1838026182919964416")
    assert response.status_code == 400
    assert client.get("/api/v1/datasets?q=x&page=100001").status_code == 400


def test_theme_filter_matches_whole_codes(client, make_org, make_dataset):
    make_org("ine-gt")
    make_dataset("desempleo", "ine-gt", themes=["unemployment"])
    make_dataset("empleo", "ine-gt", themes=["employment"])
    for q in (None, "encuesta"):
        params = {"theme": "employment", **({"q": q} if q else {})}
        assert names(client.get("/api/v1/datasets", query_string=params)) == ["empleo"]


def test_other_number_and_gender_forms_match(client, make_org, make_dataset):
    """Spanish users write plurals and either gender; titles use whichever they chose."""
    make_org("inm-mx", country="MEX", kind="migration-authority")
    titles = {
        "tarjetas-tvtf": ("Tarjetas de trabajador fronterizo", "Border worker visitor cards"),
        "retornadas-mx": ("Personas retornadas recibidas", "Returned persons received"),
        "empleadores-mx": ("Registro de empleadores", "Employer register"),
    }
    for name, (spanish, english) in titles.items():
        make_dataset(
            name,
            "inm-mx",
            title={"es": spanish, "en": english},
            description={"es": "Registro administrativo.", "en": "Administrative register."},
            keywords={"es": ["registro"], "en": ["register"]},
        )

    def found(query):
        return names(client.get("/api/v1/datasets", query_string={"q": query}))

    assert found("trabajadores fronterizos") == ["tarjetas-tvtf"]
    assert found("border workers") == ["tarjetas-tvtf"]
    assert found("retornados") == ["retornadas-mx"]
    assert found("persona retornada") == ["retornadas-mx"]
    # Quoted phrases stay exact, and no word is cut down to a stem.
    assert found('"trabajadores fronterizos"') == []
    assert found("empleo") == []
    assert found("empleador") == ["empleadores-mx"]


def test_text_search_sorts_by_the_keys_of_the_latest_revision(
    client, session, make_org, make_dataset, settings
):
    """The index keeps each dataset's sort keys; after any change, sorting matches agrees
    with sorting the datasets themselves, for every order."""
    from catalog import datasets, distributions
    from tests.conftest import SYSTEM

    make_org("mintrab-gt")
    for name, title in (
        ("b-empleo", "Empleo B"),
        ("a-empleo", "Empleo C"),
        ("c-empleo", "Empleo A"),
    ):
        make_dataset(name, title={"es": title, "en": title}, keywords={"es": ["jornaleros"]})
    make_dataset("otro", title={"es": "Remesas", "en": "Remittances"}, keywords={"es": ["remesas"]})

    def listed(sort, text="jornaleros"):
        query = f"&q={text}" if text else ""
        return names(client.get(f"/api/v1/datasets?sort={sort}{query}"))

    assert listed("title") == ["c-empleo", "b-empleo", "a-empleo"]
    assert listed("name") == ["a-empleo", "b-empleo", "c-empleo"]
    assert listed("modified") == ["c-empleo", "a-empleo", "b-empleo"]
    dataset = datasets.get_dataset(session, actor=SYSTEM, name="b-empleo")
    datasets.update_dataset(
        session,
        actor=SYSTEM,
        name="b-empleo",
        document={"title": {"es": "Empleo Z", "en": "Employment Z"}},
        if_match=dataset.revision,
        merge=True,
    )
    distributions.add_distribution(
        session,
        actor=SYSTEM,
        name="a-empleo",
        document={"title": {"es": "Cuadros"}, "download_url": "https://example.org/a.csv"},
        storage_root=settings.storage_path,
    )
    assert listed("title")[-1] == "b-empleo"
    assert listed("modified")[:2] == ["a-empleo", "b-empleo"]
    assert listed("quality")[0] == "a-empleo"
    for sort in ("title", "name", "modified", "quality"):
        browsed = [name for name in listed(sort, text=None) if name != "otro"]
        assert listed(sort) == browsed, sort
    best = client.get("/api/v1/datasets?q=jornaleros&sort=quality").json["items"][0]
    threshold = best["quality"]["score"]
    assert names(client.get(f"/api/v1/datasets?q=jornaleros&min_quality={threshold}")) == [
        "a-empleo"
    ]
