"""Web console sessions in the database, so every worker and instance sees the same ones.

They are written outside catalogue transactions: opening or ending a session makes no catalogue
revision, no announcement and no audit entry. Only the hash of a session's token is stored.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, select

from modeldir.catalogue.records import SessionRecord
from modeldir.store import schema

_TABLE = schema.console_sessions


def open_session(connection: Connection, record: SessionRecord) -> None:
    """Store a new session, and drop the sessions that have expired by its start."""
    connection.execute(delete(_TABLE).where(_TABLE.c.expires_at <= record.created_at))
    connection.execute(
        _TABLE.insert().values(
            token_hash=record.token_hash,
            admin_key_id=record.admin_key_id,
            created_at=record.created_at,
            expires_at=record.expires_at,
        )
    )


def find_session(connection: Connection, token_hash: bytes) -> SessionRecord | None:
    """The session whose token has this hash, expired or not."""
    row = connection.execute(select(_TABLE).where(_TABLE.c.token_hash == token_hash)).first()
    if row is None:
        return None
    return SessionRecord(
        bytes(row.token_hash), row.admin_key_id, int(row.created_at), int(row.expires_at)
    )


def end_session(connection: Connection, token_hash: bytes) -> None:
    """Forget a session: its token opens nothing any more, on any instance."""
    connection.execute(delete(_TABLE).where(_TABLE.c.token_hash == token_hash))
