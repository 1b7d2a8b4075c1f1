"""The fixtures' snapshots (tests/snapshots.py): a restored home page is the site the
loaders build, and a snapshot is only used on the database state it was recorded on."""

from django.db import connection, transaction

from wagtail.models import Page, Revision, Site

import pytest

from lscp_site.models import ContentPage, HomePage
from tests import snapshots
from tests.conftest import build_home_page

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Snapshots are taken on PostgreSQL only (elsewhere fixtures build for real).",
    ),
]


def site_contents():
    return {
        "pages": sorted(
            (page.url_path, page.specific_class.__name__, page.live, page.numchild)
            for page in Page.objects.all()
        ),
        "revisions": Revision.objects.count(),
        "site": list(
            Site.objects.values_list("hostname", "root_page__url_path", "is_default_site")
        ),
    }


def test_a_restored_home_page_is_the_site_the_loaders_build(client):
    with transaction.atomic():
        build_home_page()
        built = site_contents()
        transaction.set_rollback(True)

    home = snapshots.Snapshot()(build_home_page)  # recorded, rolled back, written again

    assert isinstance(home, HomePage)
    assert site_contents() == built
    # Treebeard's own check: paths, depths and child counts agree.
    assert Page.find_problems() == ([], [], [], [], [])
    assert client.get("/").status_code == 200
    assert client.get("/privacy/").status_code == 200
    # Found by search: the search index rows came back with the pages.
    assert b"/staying-safe-online/" in client.get("/search/", {"q": "Quick leave"}).content


def test_a_snapshot_writes_again_only_on_the_state_it_was_recorded_on():
    snapshot = snapshots.Snapshot()
    first = snapshot(build_home_page)
    # Wagtail's welcome page deleted, the home page and three content pages added.
    assert snapshot.summary()["wagtailcore_page"] == (1, 4)
    ContentPage.objects.filter(slug="privacy").delete()

    # The tables it wrote to hold other rows now: the loaders run for real (and only add
    # back the page that is missing) instead of writing the recorded rows over them.
    again = snapshot(build_home_page)
    assert again.pk == first.pk
    assert ContentPage.objects.filter(slug="privacy").count() == 1
    assert HomePage.objects.count() == 1
