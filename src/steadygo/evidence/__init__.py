"""Rules whose findings come from evidence other than Go source (runtime dumps and profiles)."""
