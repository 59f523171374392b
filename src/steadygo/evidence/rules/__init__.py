"""Evidence rule families, one module per family."""
