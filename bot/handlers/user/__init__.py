"""Everything a teenager or a parent sees."""
