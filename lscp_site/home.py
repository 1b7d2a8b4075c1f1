"""What the home page shows, asked of each app through its own query function.

Each app owns the query that feeds its part of the home page; this module only gathers
them, so the home page never reaches into another app's models.
"""


def home_page_sections(home, request):
    from events.queries import upcoming_events
    from newsletter.queries import latest_issue
    from training.queries import next_sessions

    return {
        "next_dates": upcoming_events(limit=3),
        "next_sessions": next_sessions(limit=3, with_places_only=True),
        "latest_issue": latest_issue(),
    }
