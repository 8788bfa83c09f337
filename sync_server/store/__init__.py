"""Storage backends the engine writes through: SQLite, and PostgreSQL for several nodes."""
