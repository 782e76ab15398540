"""Graphics items, one kind per map element."""
