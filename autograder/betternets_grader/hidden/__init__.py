"""The instructor side of each notebook, one module `exNN_<topic>.py` per notebook: the reference
of every exercise (the function named like the exercise) and its hidden properties."""
