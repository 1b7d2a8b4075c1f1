"""Large sites for query-count tests, written in bulk.

Adding a page through Wagtail (treebeard's add_child) costs a dozen queries and signals;
hundreds of them take seconds. ``add_live_pages`` writes them the way the content generator
does (bench/generate.py): base rows in a few statements and each page's own row as a
fixture is loaded, live, without revisions, not indexed for search, as make_event and
make_course leave pages when not asked for a revision.
"""

import random

from django.utils import timezone

from bench import generate
from lscp_site.pagecache import invalidate_pages


def add_live_pages(parent, pages):
    """Insert unsaved ``pages`` (all of one page type) as live children of ``parent``.
    Bulk inserts send no signals, so, as the generator does, this says itself that
    the pages changed (cached pages and what is remembered per generation are stale)."""
    added = generate.add_pages(
        parent,
        pages,
        owner=None,
        published_at=timezone.now(),
        words=generate.Words(random.Random()),  # noqa: S311 - translation keys only
    )
    invalidate_pages()
    return added
