"""Renderings of answers: text and RDF of reports and competence (`render`), and an
amendment's impact as text, Markdown and standalone HTML (`impact`)."""
