"""Alembic environment and versions, shipped inside the package.

``HEAD_REVISION`` is the newest revision in ``versions/``, so that opening a database that is
already up to date needs one SELECT of ``alembic_version`` and no import of Alembic (a test
asserts it equals Alembic's own head: change it with every new migration).
"""

HEAD_REVISION = "0013"
