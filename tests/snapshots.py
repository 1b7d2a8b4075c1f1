"""Rows written once, restored in a few statements: faster fixtures on PostgreSQL.

Building the home page and its content pages through Wagtail costs about 400 queries (tree
inserts, revisions, publishing, the search and reference indexes), and most tests start from
it. A ``Snapshot`` runs such a builder once, inside a transaction it rolls back, records the
rows the builder inserted, changed and deleted in every table, and writes the same rows again
in later tests with one DELETE and one INSERT a table (``json_populate_recordset``). The rows
are the builder's own, keys and timestamps included. What a builder does outside the
database (an email in the outbox) happens only when it runs.

Before restoring, the snapshot checks that every table the builder wrote to holds exactly
what it held when the builder ran (a hash of its rows), so that the builder would write the
same rows again; otherwise the builder runs for real, as it does on other databases.
Recordings are kept per clock: a builder run under a frozen clock (time_machine) is recorded
again for that time.

Table and column names in the SQL below come from Django's introspection, quoted.

The same recording speeds up Django's serialized rollback (``quick_serialized_rollback``):
after each transactional test Django empties every table with one TRUNCATE (which makes new
files for all 80 tables, about 0.4 s) and, before the next one, reloads the tables as
migrations left them object by object (two queries a row, about 0.7 s). Here the tables are
emptied with a DELETE each and reloaded with one INSERT each: the same rows, in a tenth of
the time.
"""

import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction

import time_machine


def _supported():
    return connection.vendor == "postgresql"


def _quote(name):
    return connection.ops.quote_name(name)


_TABLES = {}


def _tables():
    """Every table of an installed model (what a flush empties), with its primary key and
    the columns written on insert. Read once: tests do not change the schema."""
    if connection.alias not in _TABLES:
        _TABLES[connection.alias] = _read_tables()
    return _TABLES[connection.alias]


def _read_tables():
    tables = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.django_table_names(only_existing=True)):
            [key] = connection.introspection.get_primary_key_columns(cursor, table)
            cursor.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                "AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
                [_quote(table)],
            )
            tables[table] = (key, [row[0] for row in cursor.fetchall()])
    return tables


def _rows(cursor, table, key, keys=None):
    """{primary key as text: the row as JSON text}, for the whole table or the given keys."""
    sql = f"SELECT {_quote(key)}::text, row_to_json(t)::text FROM {_quote(table)} t"  # noqa: S608
    if keys is None:
        cursor.execute(sql)
    else:
        cursor.execute(f"{sql} WHERE {_quote(key)}::text = ANY(%s)", [list(keys)])
    return dict(cursor.fetchall())


def _dump(tables):
    with connection.cursor() as cursor:
        return {table: _rows(cursor, table, key) for table, (key, _) in tables.items()}


def _insert(cursor, table, columns, rows, *, key=None):
    """Write rows (JSON texts) into ``table`` as they were read, in one statement; with
    ``key``, a row whose primary key is taken overwrites the one there."""
    names = ", ".join(_quote(column) for column in columns)
    rows_of_table = f"json_populate_recordset(NULL::{_quote(table)}, %s::json)"
    sql = f"INSERT INTO {_quote(table)} ({names}) SELECT {names} FROM {rows_of_table}"  # noqa: S608
    if key is not None:
        values = ", ".join(f"EXCLUDED.{_quote(column)}" for column in columns)
        sql += f" ON CONFLICT ({_quote(key)}) DO UPDATE SET ({names}) = ROW({values})"
    cursor.execute(sql, ["[" + ",".join(rows) + "]"])


@dataclass
class _Change:
    key: str
    columns: list
    found: list = field(default_factory=list)  # keys of rows the builder changed or deleted
    rows: list = field(default_factory=list)  # rows inserted or changed, as the builder left them


@dataclass
class _Recording:
    changes: dict
    fingerprint: dict  # the tables the builder wrote to, as it found them
    model: type | None
    pk: object


def _fingerprint(tables):
    """{table: a hash of all its rows}, in one query."""
    if not tables:
        return {}
    rows = "md5(coalesce(string_agg(t::text, ',' ORDER BY {}), ''))"
    parts = [
        f"SELECT %s, {rows.format(_quote(key))} FROM {_quote(table)} t"  # noqa: S608
        for table, key in tables.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), list(tables))
        return dict(cursor.fetchall())


def _clock():
    """What recordings are kept under: the real clock, or the time a frozen clock shows
    (None for a travelling clock that ticks, which nothing can be kept under)."""
    if not time_machine.escape_hatch.is_travelling():
        return "real"
    first = time.time()
    return first if time.time() == first else None


def _record(builder, tables):
    with transaction.atomic():
        before = _dump(tables)
        result = builder()
        after = _dump(tables)
        transaction.set_rollback(True)
    changes = {}
    for table, (key, columns) in tables.items():
        old, new = before[table], after[table]
        if old != new:
            changes[table] = _Change(
                key=key,
                columns=columns,
                found=[pk for pk, row in old.items() if new.get(pk) != row],
                rows=[row for pk, row in new.items() if old.get(pk) != row],
            )
    return _Recording(
        changes=changes,
        # Taken after the rollback: the tables are as the builder found them again.
        fingerprint=_fingerprint({table: change.key for table, change in changes.items()}),
        model=type(result) if result is not None else None,
        pk=getattr(result, "pk", None),
    )


def _restore(recording):
    """Write a recording's rows; False (and nothing written) unless every table the builder
    wrote to is as the builder found it (so that it would write the same again)."""
    tables = {table: change.key for table, change in recording.changes.items()}
    if _fingerprint(tables) != recording.fingerprint:
        return False
    with transaction.atomic(), connection.cursor() as cursor:
        for table, change in recording.changes.items():
            if change.found:
                cursor.execute(
                    f"DELETE FROM {_quote(table)} WHERE {_quote(change.key)}::text = ANY(%s)",  # noqa: S608
                    [change.found],
                )
            if change.rows:
                _insert(cursor, table, change.columns, change.rows)
    return True


class Snapshot:
    """The rows a fixture's builder writes, recorded the first time and written again after.

    ``snapshot(builder)``: ``builder`` is a function of no arguments that writes to the
    database and returns a model instance (or None). The first time (for each frozen
    clock), it runs in a transaction that is rolled back and its rows are recorded; then,
    and every time after, the rows are written and the instance is fetched again. Where a
    recording cannot be used, ``builder`` runs for real.
    """

    def __init__(self):
        self.recordings = {}

    def __call__(self, builder):
        clock = _clock()
        if not _supported() or clock is None:
            return builder()
        if clock not in self.recordings:
            self.recordings[clock] = _record(builder, _tables())
        recording = self.recordings[clock]
        if not _restore(recording):
            return builder()
        if recording.model is None:
            return None
        return recording.model._default_manager.get(pk=recording.pk)

    def summary(self):
        """{table: (rows deleted or changed, rows written)} of the recording on the real
        clock: what a restore does."""
        recording = self.recordings.get("real")
        return {
            table: (len(change.found), len(change.rows))
            for table, change in (recording.changes if recording else {}).items()
        }


class Baseline:
    """The tables as they are now (after migrations), to be written back into empty tables."""

    def __init__(self):
        self.tables = _tables() if _supported() else {}
        dump = _dump(self.tables) if self.tables else {}
        self.rows = {table: list(rows.values()) for table, rows in dump.items() if rows}

    def restore(self, using):
        """Write the recorded rows back, one INSERT a table, on the connection ``using``.

        As Django's serialized rollback does: a row whose primary key is there already is
        overwritten, other rows are left alone, and foreign keys are checked at the end."""
        with transaction.atomic(using=using.alias), using.cursor() as cursor:
            for table, rows in self.rows.items():
                key, columns = self.tables[table]
                _insert(cursor, table, columns, rows, key=key)
            using.check_constraints(table_names=list(self.rows))


@contextmanager
def quick_serialized_rollback(baseline):
    """While this runs, transactional tests marked ``serialized_rollback`` are flushed with a
    DELETE a table and get ``baseline`` back with one INSERT a table."""
    if not baseline.rows:
        yield
        return
    from django.db.backends.base.creation import BaseDatabaseCreation
    from django.db.backends.postgresql.operations import DatabaseOperations

    import pytest

    truncate = DatabaseOperations.sql_flush

    def sql_flush(ops, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(
                ops, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        # Foreign keys are checked at commit (Django makes them DEFERRABLE INITIALLY
        # DEFERRED), so the order of the DELETEs does not matter.
        return [f"DELETE FROM {ops.quote_name(table)};" for table in tables]  # noqa: S608

    def deserialize_db_from_string(creation, data):
        baseline.restore(using=creation.connection)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        patch.setattr(
            BaseDatabaseCreation, "deserialize_db_from_string", deserialize_db_from_string
        )
        yield
