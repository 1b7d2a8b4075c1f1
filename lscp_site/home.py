"""What the home page shows, asked of each app through its own query function.

Each app owns the query that feeds its part of the home page; this module only gathers
them, so the home page never reaches into another app's models.
"""


def home_page_sections():
    from events.queries import upcoming_events

    return {
        "next_dates": upcoming_events(limit=3),
    }
