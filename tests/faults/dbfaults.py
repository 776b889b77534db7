"""Ways for the database to go away during a request, for the fault tests."""

from contextlib import contextmanager

from django.db import InterfaceError, OperationalError, connection
from django.db.backends.utils import CursorWrapper

from pcndev.audit.models import AuditEvent

AUDIT_TABLE = AuditEvent._meta.db_table
GONE = "server closed the connection unexpectedly"


@contextmanager
def database_down(monkeypatch, error=OperationalError):
    """Every query fails, as when the server is down or the network to it is cut."""

    def refuse(*args, **kwargs):
        raise error(GONE)

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", refuse)
        patch.setattr(connection, "chunked_cursor", refuse)
        yield


class AuditWrites:
    """Counts the audit rows a request writes; with `fail_at`, the database goes away at that audit write.

    Services write their audit event last, inside their transaction, so failing there is failing after
    everything else the service wrote."""

    def __init__(self, fail_at: int | None = None, error=OperationalError):
        self.count, self.fail_at, self.error = 0, fail_at, error

    def _seen(self, sql: str) -> None:
        if sql.lstrip().upper().startswith("INSERT") and AUDIT_TABLE in sql:
            self.count += 1
            if self.count == self.fail_at:
                raise self.error(GONE)


@contextmanager
def audit_writes(monkeypatch, fail_at: int | None = None, error=OperationalError):
    watch = AuditWrites(fail_at, error)
    execute, executemany = CursorWrapper.execute, CursorWrapper.executemany

    def watched_execute(self, sql, params=None):
        watch._seen(sql)
        return execute(self, sql, params)

    def watched_executemany(self, sql, param_list):
        watch._seen(sql)
        return executemany(self, sql, param_list)

    with monkeypatch.context() as patch:
        patch.setattr(CursorWrapper, "execute", watched_execute)
        patch.setattr(CursorWrapper, "executemany", watched_executemany)
        yield watch


__all__ = ["AuditWrites", "InterfaceError", "OperationalError", "audit_writes", "database_down"]
