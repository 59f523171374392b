"""`steadygo graph`: the module graph of a repository, from the go command or its go.mod files."""
