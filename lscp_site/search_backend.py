"""The site's search backend: Wagtail's database backend, with a leaner ranked query on
PostgreSQL.

Wagtail's PostgreSQL query for a search such as "safeguarding" cost the large benchmark site
7 ms (512 pages found) against 0.6 ms on the demo (8 found), for two reasons this module
takes away; what is matched, how it is ranked and in what order are Wagtail's own:

- ``to_tsquery(text)`` is only *stable*, so PostgreSQL parsed the words again for every page
  it ranked, twice (title and body). Here the search query is a scalar subquery, which
  PostgreSQL works out once per query (an InitPlan) and passes to the index scan and to
  every ranking as a parameter.
- The matched vector (``title || body``) was in the SELECT list as well as in WHERE, so every
  page found had its two vectors joined before the sort only for the ten shown, and Python
  never reads them. Here the match is a plain condition and selects nothing.

With the search query a parameter, the planner also keeps to the GIN index on
``title || body`` (migration 0002) for common words. Given the parsed query as a constant
it sees that most pages match and reads the table instead, joining every page's vectors to
test them: 5 ms where the index takes 0.4.

SQLite, and anything else, use Wagtail's backends unchanged.
"""

from django.contrib.postgres.search import SearchQueryField
from django.db import connection
from django.db.models import BooleanField, Count, Func, Window

from modelsearch.backends import database
from modelsearch.backends.database.postgres.postgres import (
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
    PostgresSearchResults,
)
from modelsearch.query import Fuzzy, MatchAll, Not


class ParsedOnce(Func):
    """A tsquery worked out once per SQL query, as a scalar subquery."""

    template = "(SELECT %(expressions)s)"
    output_field = SearchQueryField()


class Matches(Func):
    """``vector @@ query``, as a condition for ``filter()``."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class PostgresLeanQueryCompiler(PostgresSearchQueryCompiler):
    def build_tsquery(self, query, config=None):
        # Wagtail's ranking calls this too, so the match and every rank share the subquery.
        return ParsedOnce(super().build_tsquery(query, config=config))

    def search(self, config, start, stop, score_field=None, backend=None):
        if isinstance(self.query, MatchAll | Fuzzy) or (
            isinstance(self.query, Not) and isinstance(self.query.subquery, MatchAll)
        ):
            return super().search(config, start, stop, score_field, backend)

        search_query = self.build_tsquery(self.query, config=config)
        vectors = self.get_search_vectors(search_query)
        rank_expression = self._build_rank_expression(vectors, config)
        combined_vector = vectors[0][0]
        for vector, _boost in vectors[1:]:
            combined_vector = combined_vector._combine(vector, "||", False)

        queryset = self.queryset.filter(Matches(combined_vector, search_query))
        return self._apply_ordering_and_scoring(queryset, rank_expression, start, stop, score_field)


class PostgresLeanSearchResults(PostgresSearchResults):
    """Wagtail's results, which can also be fetched with the count of all of them
    (``with_total()``): each row then carries ``search_total``, counted by the ranked query
    itself (``COUNT(*) OVER ()``) instead of a second query that finds every match again
    (2.8 ms of the 8 that a first search for "safeguarding" cost PostgreSQL on the large
    benchmark site)."""

    counts_all = False

    def _clone(self):
        new = super()._clone()
        new.counts_all = self.counts_all
        return new

    def with_total(self):
        new = self._clone()
        new.counts_all = True
        return new

    def _do_search(self):
        if not self.counts_all:
            return super()._do_search()
        # The window is counted before the LIMIT of the page asked for.
        return list(self.get_queryset().annotate(search_total=Window(Count("*"))))


class PostgresLeanSearchBackend(PostgresSearchBackend):
    query_compiler_class = PostgresLeanQueryCompiler
    results_class = PostgresLeanSearchResults


def SearchBackend(params):  # noqa: N802 (the name Wagtail looks for in a backend's module)
    """The backend for the default database, as ``wagtail.search.backends.database`` picks
    it, with the lean ranked query on PostgreSQL."""
    if connection.vendor == "postgresql":
        return PostgresLeanSearchBackend(params)
    return database.SearchBackend(params)
