"""Hidden properties, one module per notebook (`exNN_<topic>.py`), judged against the reference."""
