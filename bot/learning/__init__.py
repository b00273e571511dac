"""The learning loop: knowledge-base gaps and draft entries from consultant answers."""
