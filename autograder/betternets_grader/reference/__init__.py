"""The hidden reference implementation of every exercise, one module per notebook."""
