"""SKOS controlled vocabularies and their lookup API."""
