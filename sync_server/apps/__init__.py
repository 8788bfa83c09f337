"""Schemas bundled with the server (``offsync serve --app NAME``)."""
