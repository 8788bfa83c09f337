"""offsync's sync server: validation, the apply engine, stores, the Starlette app."""
