"""Go code rule families, one module per family."""
