"""The instructor side of each notebook, `exNN_<topic>`: a module, or a package of one module a
topic (`ex03_generalization/`) whose `__init__` re-exports the references. It holds the reference
of every exercise (the function named like the exercise) and its hidden properties."""
