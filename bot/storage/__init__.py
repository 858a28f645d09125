"""Storage: SQLModel tables, the async engine, encrypted text and small repository functions."""
