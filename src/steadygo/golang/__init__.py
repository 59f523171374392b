"""Go source understanding: parsing, import resolution, local facts."""
