"""Browser face of the recipes context (SPEC §4)."""
