"""The embedded Celery broker: kombu's SQLAlchemy transport on a SQLite file.

Kombu's own transport polls an empty queue once a second and passes every transport
option to SQLAlchemy (so ``polling_interval`` cannot be set as an option); this subclass
polls five times a second so a task queued by a page starts without a visible delay.
Use it with a URL like ``embedded+sqlite:////path/to/broker.sqlite3``.
"""

from kombu.transport import TRANSPORT_ALIASES
from kombu.transport.sqlalchemy import Transport as SQLAlchemyTransport


class EmbeddedTransport(SQLAlchemyTransport):
    polling_interval = 0.2


def register() -> None:
    TRANSPORT_ALIASES.setdefault("embedded", "opensurfaces.core.broker:EmbeddedTransport")
