"""An index for the search page's match on PostgreSQL.

Wagtail's PostgreSQL search backend matches ``title || body`` against the query; the GIN
indexes Wagtail makes are on ``title`` and on ``body`` apart, which that expression cannot
use, so every search read and joined every index entry (5 ms of the 6 ms count of matches on
the large benchmark site, growing with the number of pages). An index on the expression
itself makes the match an index lookup. SQLite searches with FTS5 and needs nothing.
"""

from django.db import migrations

INDEX = "lscp_search_title_body_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailsearch_indexentry "
            "USING gin ((title || body))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("lscp_site", "0001_initial"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
