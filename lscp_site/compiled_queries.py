"""Queries that every page runs, turned into SQL by the ORM once per process, not per request.

Django builds and compiles a query's SQL afresh each time it runs: for a Wagtail page (40
columns, joins for the page type) that is 0.5 to 2 ms of CPU before PostgreSQL sees it, more
than PostgreSQL takes to answer. Pages without the page cache run the same few queries on
every request, differing only in their values (a slug, a page's id, a date), so here the
ORM still writes each query, once, and later requests reuse its SQL with their own values.

How the values are put back: the query is built once with a stand-in for each value (a
string, number or date no real value has), compiled, and each stand-in is found among the
compiled parameters. A stand-in the ORM changed on the way (``startswith`` adds ``%``, say)
is refused with an error when the query is first compiled, so a query can only be written
with lookups that pass values through as they are (exact, comparisons, ``in``). Anything
else in the parameters is a constant of the query's shape and is kept.

Rows come back through Django's own iteration of the query (its compiler, as it was left
by compiling the query once: columns, related rows, annotations and their converters), so
they are the objects the ORM would give, ``select_related`` and ``prefetch_related``
included. Only the SQL and its values are the compiled ones.
"""

import abc
import copy
import datetime
import functools
import itertools
import threading
import weakref

from django.core.exceptions import EmptyResultSet
from django.db import connections

_compiled = {}
_lock = threading.Lock()
_stand_in_numbers = itertools.count(1)


class _Compiled:
    __slots__ = ("queryset", "compiler", "sql", "slots", "converters")

    def __init__(self, queryset, compiler, sql, slots):
        self.queryset = queryset  # built from the stand-ins: its shape, not its values
        self.compiler = compiler  # as compiling left it (columns, related rows, converters)
        self.sql = sql
        # One per compiled parameter: ("value", where it is in the values, how to adapt it)
        # or ("constant", value).
        self.slots = slots
        # {connection: {columns: their converters}}: Django works them out again for every
        # run (a quarter of a millisecond on an issue page); they depend only on the columns
        # (the compiled ones, the same objects each run) and the connection's backend.
        self.converters = weakref.WeakKeyDictionary()

    def _converters(self, compiler, expressions):
        key = tuple(map(id, expressions))
        known = self.converters.get(compiler.connection)
        if known is None:
            with _lock:
                known = self.converters.setdefault(compiler.connection, {})
        found = known.get(key)
        if found is None:
            found = known[key] = type(compiler).get_converters(compiler, expressions)
        return found

    def run(self, values):
        if self.sql is None:
            return []
        params = self._params(values)
        compiler = copy.copy(self.compiler)
        # This thread's connection: the compiled one belongs to the thread that compiled it.
        compiler.connection = connections[compiler.using]
        compiler.as_sql = lambda *args, **kwargs: (self.sql, params)
        compiler.get_converters = functools.partial(self._converters, compiler)
        queryset = self.queryset._chain()
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return list(queryset)

    def _params(self, values):
        return [
            slot[1] if slot[0] == "constant" else _adapted(values, slot[1], slot[2])
            for slot in self.slots
        ]

    def count(self, values):
        """How many rows the compiled query selects, counted by the database."""
        if self.sql is None:
            return 0
        with connections[self.compiler.using].cursor() as cursor:
            # The ORM's own compiled SQL, values passed as parameters.
            sql = f"SELECT COUNT(*) FROM ({self.sql}) counted"  # noqa: S608
            cursor.execute(sql, self._params(values))
            return cursor.fetchone()[0]


def fetch(shape, build, *values, using=None):
    """What ``list(build(*values))`` gives, with the SQL compiled once per ``shape``.

    ``build`` returns a queryset made from ``values`` alone; ``shape`` is a hashable name for
    the query and for anything else ``build`` reads (a page type, a slice's size). Values may
    be strings, integers, dates, aware datetimes, or lists and tuples of them (for ``in``); a
    list of another length is a query of another shape, compiled once too.
    """
    return _compiled_for(shape, build, values, using).run(values)


def count(shape, build, *values, using=None):
    """What ``build(*values).count()`` gives, with the SQL compiled once per ``shape``
    (the rows' ids selected by the ORM, counted by the database around them)."""
    return _compiled_for(
        ("count", shape),
        lambda *values: build(*values).order_by().values_list("pk"),
        values,
        using,
        # Counting leaves out what only the rows' columns needed (an annotation's values).
        every_value_used=False,
    ).count(values)


def _compiled_for(shape, build, values, using, **options):
    key = (shape, _lengths(values), using)
    compiled = _compiled.get(key)
    if compiled is None:
        with _lock:
            compiled = _compiled.get(key) or _compile(build, values, using, **options)
            _compiled[key] = compiled
    return compiled


def forget():
    """Drop every compiled query (tests that change settings the SQL depends on)."""
    with _lock:
        _compiled.clear()


def _compile(build, values, using, *, every_value_used=True):
    stand_ins = _stand_ins(values)
    queryset = build(*stand_ins)
    if using:
        queryset = queryset.using(using)
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # a query that can select nothing, as [0:0]: Django runs none
        return _Compiled(queryset, None, None, [])
    known = dict(_leaves(stand_ins))
    adapters = _adapters(connections[queryset.db].ops)
    slots, found = [], set()
    for param in params:
        slot = _slot_for(param, known, adapters)
        if slot is None:
            if isinstance(param, str) and any(
                isinstance(stand_in, str) and stand_in in param for stand_in in known.values()
            ):
                raise ValueError(
                    f"A value was changed by its lookup ({param!r}): use exact, comparison "
                    "or in lookups"
                )
            slots.append(("constant", param))
        else:
            slots.append(slot)
            found.add(slot[1])
    missing = set(known) - found
    if missing and every_value_used:
        raise ValueError(f"Values at {sorted(missing)} do not reach the SQL unchanged")
    return _Compiled(queryset, compiler, sql, slots)


def _lengths(values):
    return tuple(_lengths(value) if isinstance(value, (list, tuple)) else None for value in values)


def _stand_ins(values, prefix=()):
    """A copy of ``values`` with each leaf replaced by a value no real one has."""
    result = []
    for index, value in enumerate(values):
        path = (*prefix, index)
        if isinstance(value, (list, tuple)):
            result.append(type(value)(_stand_ins(value, path)))
            continue
        number = next(_stand_in_numbers)
        if isinstance(value, bool) or not isinstance(value, (str, int, datetime.date)):
            raise TypeError(f"fetch() takes strings, integers, dates and datetimes, not {value!r}")
        if isinstance(value, str):
            result.append(f"\x1fstand-in {number}\x1f")
        elif isinstance(value, datetime.datetime):
            if value.tzinfo is None:
                raise TypeError("fetch() takes aware datetimes only")
            result.append(
                datetime.datetime(1001, 1, 1, tzinfo=datetime.UTC)
                + datetime.timedelta(seconds=number, microseconds=number)
            )
        elif isinstance(value, datetime.date):
            result.append(datetime.date(1000 + number % 900, 1 + number % 12, 1 + number % 28))
        else:
            # Within a 32-bit column's range: the ORM drops comparisons with values outside it.
            result.append(2_100_000_000 - number)
    return result


def _leaves(stand_ins, prefix=()):
    for index, value in enumerate(stand_ins):
        path = (*prefix, index)
        if isinstance(value, (list, tuple)):
            yield from _leaves(value, path)
        else:
            yield path, value


def _adapters(ops):
    """How the database backend may have turned a value into a parameter (SQLite passes
    dates and datetimes as text; psycopg's server-side binding wraps integers)."""
    return {
        datetime.datetime: [ops.adapt_datetimefield_value],
        datetime.date: [ops.adapt_datefield_value],
    }


def _slot_for(param, known, adapters):
    for path, stand_in in known.items():
        if param == stand_in and isinstance(param, type(stand_in)):
            # psycopg's server-side binding wraps integers in its own types (Int4, Int8);
            # the same wrapper is put on each value.
            wrap = type(param) if type(param) is not type(stand_in) else None
            return ("value", path, wrap)
        for adapt in adapters.get(type(stand_in), ()):
            if isinstance(param, str) and param == adapt(stand_in):
                return ("value", path, adapt)
    return None


def _adapted(values, path, adapt):
    value = values
    for index in path:
        value = value[index]
    return adapt(value) if adapt else value


def objects_in_order(model, ids):
    """The ``model`` instances with the primary keys ``ids``, in the same order, None for an
    id that is None or not found; a repeated id gets a copy of its own (what Wagtail's
    chooser blocks expect of ``bulk_to_python``)."""
    wanted = sorted({pk for pk in ids if pk is not None})
    found = {}
    if wanted:
        found = {
            instance.pk: instance
            for instance in fetch(
                ("objects by primary key", model._meta.label),
                lambda pks: model._default_manager.filter(pk__in=pks),
                wanted,
            )
        }
    result, seen = [], set()
    for pk in ids:
        instance = found.get(pk)
        if instance is not None and pk in seen:
            instance = copy.copy(instance)
        result.append(instance)
        seen.add(pk)
    return result


class Listing:
    """A listing for Django's Paginator: counted (``count``) and each page of it fetched
    (``fetch``, once per page position) with SQL compiled once. ``build(*values)`` is the
    whole listing as a queryset; ``shape`` names it as for ``fetch``. ``count``, when the
    caller already knows it, saves the query that counts."""

    def __init__(self, shape, build, *values, count=None):
        self.shape, self.build, self.values = shape, build, values
        self.known_count = count

    @functools.cached_property
    def queryset(self):
        return self.build(*self.values)

    def count(self):
        if self.known_count is not None:
            return self.known_count
        return count(self.shape, self.build, *self.values)

    def __len__(self):
        return self.count()

    def __iter__(self):
        return iter(self.queryset)

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self.queryset[key]
        return fetch(
            (self.shape, key.start, key.stop),
            lambda *values: self.build(*values)[key],
            *self.values,
        )


class CountedListing(abc.ABC):
    """A listing for Django's Paginator whose size is known without a query (``count``),
    read a page (a slice) at a time: subclasses fetch ``rows(start, stop)``."""

    def __init__(self, count):
        self._count = count

    def count(self):
        return self._count

    def __len__(self):
        return self._count

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step is not None:
            raise TypeError(f"{type(self).__name__} is read a page (a slice) at a time")
        start = key.start or 0
        return self.rows(start, self._count if key.stop is None else key.stop)

    @abc.abstractmethod
    def rows(self, start, stop):
        """The listing's rows from ``start`` up to ``stop``, in order."""


class RowsInOrder(CountedListing):
    """The rows of the pages with ``ids``, in that order, for Django's Paginator: each page
    of the listing fetched by id in one query, compiled once per page size. ``rows_of(ids)``
    is a queryset of dicts that include "pk"; ``shape`` names it as for ``fetch``.

    For listings whose order and membership are worked out once per change of the site's
    pages (``pagecache.remembered``), so that a page of them costs the same however long
    the listing is."""

    def __init__(self, shape, ids, rows_of):
        self.shape, self.ids, self.rows_of = shape, list(ids), rows_of
        super().__init__(len(self.ids))

    def rows(self, start, stop):
        return self.rows_for(self.ids[start:stop])

    def rows_for(self, wanted):
        """The rows of the pages ``wanted`` (some of ``ids``), in that order."""
        if not wanted:
            return []
        rows = fetch((self.shape, len(wanted)), self.rows_of, wanted)
        by_id = {row["pk"]: row for row in rows}
        return [by_id[pk] for pk in wanted if pk in by_id]
