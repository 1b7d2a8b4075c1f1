"""Search answers any query: quotes, markup and operators are words, never a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ['"', 'a"', '<i data-fuzz=0>"', "NEAR(", "*", "a OR", "(x"])
def test_search_answers_any_query(client, home_page, query):
    response = client.get("/search/", {"q": query})

    assert response.status_code == 200
    assert b"<i data-fuzz=0>" not in response.content
