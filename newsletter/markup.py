"""What an issue tells machines: schema.org NewsArticle data and its safe JSON."""

from lscp_site.links import absolute as absolute_url
from newsletter.dates import MONTH_NAMES

PUBLISHER = "Leeds Safeguarding Children Partnership"


def issue_title(issue):
    """The issue's title with its year when the title lacks one: 'March Newsletter 2025'.

    The LSCP has called every March issue 'March Newsletter'; the year tells them apart in
    lists, feeds, search results and the browser's tab.
    """
    title = issue.title.strip()
    year = str(issue.issue_date.year)
    if year in title:
        return title
    month = MONTH_NAMES[issue.issue_date.month - 1]
    if month.lower() in title.lower():
        return f"{title} {year}"
    return f"{title} ({month} {year})"


def news_article_data(issue):
    url = absolute_url(issue.url)
    published = issue.published_at
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": issue_title(issue)[:110],
        "description": issue.search_description or issue.summary,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": "en-GB",
        "datePublished": published.isoformat(),
        "dateModified": max(issue.last_published_at or published, published).isoformat(),
        "author": {"@type": "Organization", "name": PUBLISHER, "url": absolute_url("/")},
        "publisher": {"@type": "Organization", "name": PUBLISHER, "url": absolute_url("/")},
    }
    return data
