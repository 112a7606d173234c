"""Running the shapes: the compiler, the reference engine (pyshacl), the fast engine, and
the dispatcher that picks one (`kg.reasoning.dispatch`)."""
