"""Browser face of the recipes context."""
