"""Incident cards: the format as one table (`format`), reading YAML within limits with the
line of every value (`yaml_reader`), validation (`read`), and a card as RDF (`rdf`)."""
