"""The SPARQL endpoint's machinery: the Protocol (`protocol`), jobs and result tables
(`run`), the queue (`gate`), the worker pool (`runner`) and the worker process (`worker`)."""
