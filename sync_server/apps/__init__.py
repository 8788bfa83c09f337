"""Server-side code of the bundled apps (``offsync project-markdown``).

The apps' schemas are pure declarations in :mod:`shared.apps`, which both
sides import; their device-side code is in :mod:`sync_client.apps`.
"""
