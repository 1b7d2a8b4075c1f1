"""What the home page shows, asked of each app through its own query function.

Each app owns the query that feeds its part of the home page; this module only gathers
them, so the home page never reaches into another app's models.
"""


def home_page_sections():
    return {}
