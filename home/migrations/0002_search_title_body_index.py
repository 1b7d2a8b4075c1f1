"""A GIN index on ``title || body`` of Wagtail's search index, on PostgreSQL.

Wagtail's database backend matches a search against the two vectors joined
(``(title || body) @@ query``); its own indexes are on each column alone, which that
expression cannot use, so every search read every entry. SQLite searches its FTS5 table
and needs nothing.
"""

from django.db import migrations

INDEX = "home_search_title_body_gin"


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
        ("home", "0001_initial"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
