"""Deciding: the combinations of disputed facts (`worlds`), findings (`check`, `evaluation`,
`explain`), who may investigate (`competence`), the warnings an answer carries
(`warnings`), and what an amendment would change (`impact`)."""
