"""Alembic environment: runs the migrations on the connection `open_store` hands over.

`open_store` puts its connection, inside a writing transaction, in
`config.attributes["connection"]`. Without one (a developer writing a new revision with
`opening.alembic_config(url)`), an engine is made from `sqlalchemy.url`. Logging is left as the
application configured it: there is no alembic.ini and no fileConfig here.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from wellbeing_app.storage.models import metadata


def _run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds tables where needed.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run() -> None:
    config = context.config
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=metadata,
            literal_binds=True,
            render_as_batch=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run_on(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection was handed over and no sqlalchemy.url is configured")
    engine = create_engine(url)
    try:
        with engine.begin() as own_connection:
            _run_on(own_connection)
    finally:
        engine.dispose()


_run()
