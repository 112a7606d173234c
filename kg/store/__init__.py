"""Where the graph lives: the store's protocol (`base`), the embedded pyoxigraph store
(`embedded`), any SPARQL 1.1 server (`remote`), which one a command opens (`connect`),
SPARQL text helpers (`sparql`), what a load puts in (`graph`, `build`) and the saved
questions (`queries`)."""
