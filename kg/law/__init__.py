"""The law as data: loading the graph (`load`), the code lists (`codes`), look-ups for
presenting results (`info`), amendments (`amend`), and the OWL consistency check
(`consistency`)."""
