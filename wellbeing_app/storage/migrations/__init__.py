"""Alembic migrations of the storage schema; `open_store` applies them, no alembic.ini needed."""
