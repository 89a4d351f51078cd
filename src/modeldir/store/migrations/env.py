"""Alembic's entry point: runs migrations on the connection handed over by `migrate.upgrade`."""

from alembic import context

from modeldir.store.schema import metadata

connection = context.config.attributes["connection"]
if connection is None:  # pragma: no cover - only `alembic` run by hand without a connection
    raise RuntimeError("run migrations through modeldir.store.migrate.upgrade")
# Batch mode lets the same migration alter tables on SQLite, which lacks most ALTER TABLE forms.
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
