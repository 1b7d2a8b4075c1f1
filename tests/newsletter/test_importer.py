"""Importing past issues from their plain-text form."""

import datetime
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import CommandError, call_command

import pytest
from bs4 import BeautifulSoup

from newsletter import importer
from newsletter.importer import IssueImportError, import_issue_file, import_issue_text
from newsletter.models import NewsletterIndexPage, NewsletterIssuePage
from newsletter.parsing import IssueParseError, parse_date
from tests.newsletter.factories import make_course, make_event, make_issue, section

DATA = Path(__file__).parent / "data"
SEED = Path(settings.BASE_DIR) / "home" / "demo_content" / "march-2025-newsletter.txt"
APRIL = DATA / "april-2025-newsletter.txt"
WINTER = DATA / "winter-newsletter.txt"


@pytest.fixture
def site(newsletter_index, event_index, training_index):
    """The archive, the diary and the training catalogue with the courses issues name."""
    return {
        "newsletter": newsletter_index,
        "events": event_index,
        "training": training_index,
        # Written with a hyphen and a small 'a': the seed has an en dash and a capital.
        "ce_course": make_course(
            training_index, "Child exploitation in Leeds - a guide for practitioners"
        ),
        "wt_course": make_course(training_index, "Working Together to Safeguard Children"),
    }


def events_by_title():
    from events.models import EventPage

    return {event.title: event for event in EventPage.objects.all()}


def blocks_of(issue):
    return [(block.block_type, block.value) for block in issue.body]


# --- The seed ------------------------------------------------------------------------------


def test_seed_becomes_the_march_2025_issue_with_its_sections(site):
    result = import_issue_file(SEED, publish=True)

    issue = NewsletterIssuePage.objects.get()
    assert result.created and result.published
    assert issue.live
    assert issue.title == "March Newsletter"
    assert issue.issue_date == datetime.date(2025, 3, 1)
    assert issue.url == "/newsletter/march-2025/"
    assert issue.summary.startswith("A new approach to LSCP safeguarding training, register")
    assert [kind for kind, _ in blocks_of(issue)] == [
        "section",
        "section",
        "section",
        "section",
        "diary",
        "signup_prompt",
    ]
    headings = [value["heading"] for kind, value in blocks_of(issue) if kind == "section"]
    assert headings == [
        "LSCP safeguarding training is changing!",
        "Child exploitation in Leeds – A guide for practitioners",
        "Neglect audit practitioner focus groups",
        "Child exploitation awareness day",
    ]


def test_book_your_place_links_the_course_of_that_title(site):
    import_issue_file(SEED)

    issue = NewsletterIssuePage.objects.get().get_latest_revision_as_object()
    _, ce_section = blocks_of(issue)[1]
    [action] = ce_section["calls_to_action"]
    assert action["page"].pk == site["ce_course"].pk
    assert action["link_text"] == (
        "Book your place on Child exploitation in Leeds – A guide for practitioners"
    )
    assert "Book your place" not in ce_section["text"].source  # not left as a paragraph too


def test_email_addresses_become_mailto_links(site):
    import_issue_file(SEED)

    issue = NewsletterIssuePage.objects.get().get_latest_revision_as_object()
    _, neglect = blocks_of(issue)[2]
    links = BeautifulSoup(neglect["text"].source, "html.parser").find_all("a")
    assert [(a["href"], a.text) for a in links] == [
        ("mailto:lscp.info@leeds.gov.uk", "lscp.info@leeds.gov.uk")
    ]


def test_diary_lines_become_events_listed_by_the_diary_block(site, client):
    result = import_issue_file(SEED, publish=True)

    events = events_by_title()
    assert result.events_created == 4
    cea = events["National Child Exploitation Awareness Day"]
    assert (cea.start_date, cea.end_date) == (datetime.date(2025, 3, 18), None)
    week = events["Mental Health Awareness Week"]
    assert (week.start_date, week.end_date) == (
        datetime.date(2025, 5, 12),
        datetime.date(2025, 5, 18),
    )
    assert events["West Yorkshire Safeguarding Week"].end_date == datetime.date(2025, 6, 27)
    assert all(event.live for event in events.values())

    page = BeautifulSoup(client.get("/newsletter/march-2025/").content, "html.parser")
    diary = page.select_one(".issue-diary")
    rows = [
        " ".join(item.get_text(" ", strip=True).split())
        for item in diary.select(".issue-diary__item")
    ]
    assert rows == [
        "18 March 2025 National Child Exploitation Awareness Day",
        "12 to 18 May 2025 Mental Health Awareness Week",
        "25 May 2025 International Missing Children’s Day",
        "23 to 27 June 2025 West Yorkshire Safeguarding Week",
    ]
    assert diary.find("a", string="Mental Health Awareness Week")["href"] == week.url


def test_diary_dates_already_in_the_events_app_are_matched_not_duplicated(site):
    existing = make_event(
        site["events"],
        "Mental health awareness week",
        datetime.date(2025, 5, 12),
        end_date=datetime.date(2025, 5, 18),
    )

    result = import_issue_file(SEED)

    assert result.events_created == 3
    from events.models import EventPage

    assert EventPage.objects.filter(title__iexact="mental health awareness week").count() == 1
    issue = NewsletterIssuePage.objects.get().get_latest_revision_as_object()
    _, diary = blocks_of(issue)[4]
    assert existing.pk in [event.pk for event in diary["events"]]


def test_sign_up_boilerplate_becomes_the_sign_up_prompt_and_its_text_is_not_imported(site):
    import_issue_file(SEED)

    issue = NewsletterIssuePage.objects.get().get_latest_revision_as_object()
    assert blocks_of(issue)[-1] == ("signup_prompt", None)
    stored = str(issue.body.raw_data)
    assert "Registration is simple" not in stored
    assert "Quick leave" not in stored


# --- Importing again -----------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(site):
    first = import_issue_file(SEED, publish=True)
    issue = first.issue
    revisions = issue.revisions.count()

    again = import_issue_file(SEED, publish=True)

    assert not again.created and not again.changed
    assert NewsletterIssuePage.objects.count() == 1
    assert again.issue.pk == issue.pk
    assert issue.revisions.count() == revisions
    assert again.events_created == 0
    assert len(events_by_title()) == 4


def test_importing_a_changed_file_updates_the_same_issue(site, tmp_path, client):
    import_issue_file(SEED, publish=True)
    changed = tmp_path / "march.txt"
    changed.write_text(
        SEED.read_text().replace("Twenty-two practitioners", "Twenty-three practitioners")
    )

    result = import_issue_file(changed, publish=True)

    assert result.changed and not result.created
    assert NewsletterIssuePage.objects.count() == 1
    assert "Twenty-three practitioners" in client.get("/newsletter/march-2025/").text


def test_importing_without_publish_leaves_the_live_issue_alone_until_published(
    site, tmp_path, client
):
    import_issue_file(SEED, publish=True)
    changed = tmp_path / "march.txt"
    changed.write_text(SEED.read_text().replace("Twenty-two", "Twenty-three"))

    result = import_issue_file(changed)

    assert result.changed and not result.published
    issue = NewsletterIssuePage.objects.get()
    assert issue.has_unpublished_changes
    assert "Twenty-two practitioners" in client.get("/newsletter/march-2025/").text


def test_a_draft_import_is_not_public(site, client):
    result = import_issue_file(SEED)

    assert not result.issue.live
    assert client.get("/newsletter/march-2025/").status_code == 404


# --- Other issues --------------------------------------------------------------------------


def test_april_issue_without_a_diary_with_lists_links_and_a_long_heading(site, client):
    result = import_issue_file(APRIL, publish=True)

    issue = result.issue
    assert issue.issue_date == datetime.date(2025, 4, 1)  # the title says April 2025
    kinds = [kind for kind, _ in blocks_of(issue)]
    assert kinds == ["section", "section", "section", "section", "signup_prompt"]
    _, review = blocks_of(issue)[0]
    html = BeautifulSoup(review["text"].source, "html.parser")
    assert [li.text for li in html.select("ul li")] == [
        "Talk to each other early, before a referral is needed.",
        "Record the child's lived experience, not only the incidents.",
        "Check what another agency already knows before closing a case.",
    ]
    link = html.find("a", href="https://www.leedsscp.org.uk/practitioners/reviews")
    assert link.text == "https://www.leedsscp.org.uk/practitioners/reviews"
    assert link.next_sibling == "."  # the full stop stays outside the link

    _, long_section = blocks_of(issue)[1]
    assert long_section["heading"].startswith("What to do when a family does not engage")
    mailtos = [
        a["href"] for a in BeautifulSoup(long_section["text"].source, "html.parser").find_all("a")
    ]
    assert mailtos == ["mailto:lscp.info@leeds.gov.uk", "mailto:practice.development@leeds.gov.uk"]

    _, working_together = blocks_of(issue)[2]
    assert working_together["calls_to_action"][0]["page"].pk == site["wt_course"].pk

    page = BeautifulSoup(client.get(issue.url).content, "html.parser")
    nav = page.find("nav", attrs={"aria-label": "In this issue"})
    anchors = [a["href"] for a in nav.find_all("a")]
    assert len(anchors[1]) <= 61
    assert anchors[1].startswith("#what-to-do-when-a-family-does-not-engage")
    assert page.find(id=anchors[1][1:]).get_text(strip=True) == long_section["heading"]


def test_a_course_that_does_not_exist_links_the_training_programme_with_a_warning(site):
    result = import_issue_file(APRIL)

    _, website = blocks_of(result.issue.get_latest_revision_as_object())[3]
    [action] = website["calls_to_action"]
    assert action["page"].pk == site["training"].pk
    assert action["link_text"] == "Book your place on Website user research session"
    assert result.warnings == [
        "line 41: no course titled “Website user research session”; the call to action links "
        "to the “Training” page instead."
    ]


def test_winter_issue_with_its_month_given_and_dates_across_months_and_years(site):
    import_issue_file(SEED)
    events_before = len(events_by_title())

    result = import_issue_file(WINTER, issue_date=datetime.date(2025, 12, 1))

    issue = result.issue
    assert issue.issue_date == datetime.date(2025, 12, 1)
    assert issue.url_path.endswith("/december-2025/")
    assert issue.summary.startswith("keeping children safe over the festive period")
    events = events_by_title()
    festive = events["Festive safety campaign"]
    assert (festive.start_date, festive.end_date) == (
        datetime.date(2025, 12, 29),
        datetime.date(2026, 1, 4),
    )
    conference = events["Safeguarding conference week"]
    assert (conference.start_date, conference.end_date) == (
        datetime.date(2026, 1, 30),
        datetime.date(2026, 2, 2),
    )
    # "International Missing Children's Day" (straight apostrophe) is the seed's event.
    assert result.events_created == 2
    assert len(events) == events_before + 2
    assert "signup_prompt" not in [kind for kind, _ in blocks_of(issue)]


def test_a_title_without_a_month_asks_for_the_date(site):
    with pytest.raises(IssueImportError) as error:
        import_issue_file(WINTER)
    assert error.value.line == 1
    assert "--date 2025-03" in str(error.value)
    assert str(error.value).startswith(f"{WINTER}, line 1: cannot tell which month")


# --- Bad input -----------------------------------------------------------------------------


def test_a_diary_date_that_cannot_be_read_names_its_line_and_nothing_is_saved(site):
    with pytest.raises(IssueImportError) as error:
        import_issue_file(DATA / "bad-diary-date.txt")

    assert error.value.line == 17
    assert "cannot read 'Sometime in June' as a date" in error.value.message
    assert not NewsletterIssuePage.objects.exists()
    assert events_by_title() == {}


def test_a_failure_while_saving_rolls_back_the_events_already_created(site, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(NewsletterIndexPage, "add_child", fail)

    with pytest.raises(RuntimeError):
        import_issue_file(SEED)

    assert events_by_title() == {}
    assert not NewsletterIssuePage.objects.exists()


def test_a_missing_summary_names_the_line(site):
    with pytest.raises(IssueImportError) as error:
        import_issue_file(DATA / "no-summary.txt")
    assert error.value.line == 4
    assert "expected 'In this issue:'" in error.value.message


def test_a_file_that_is_not_utf8_names_the_line(site, tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes(
        SEED.read_bytes().replace(
            "We’re delighted".encode(), "We\x92re delighted".encode("latin-1")
        )
    )

    with pytest.raises(IssueImportError) as error:
        import_issue_file(path)

    assert error.value.line == 10
    assert "not UTF-8" in error.value.message


def test_a_heading_with_nothing_under_it_names_the_line(site):
    text = (
        "May Newsletter 2025\n\nIn this issue:\n\nNews.\n\n\n"
        "First heading\n\n\nSecond heading\n\nText.\n"
    )
    with pytest.raises(IssueImportError) as error:
        import_issue_text(text)
    assert error.value.line == 8
    assert "'First heading' has no text under it" in error.value.message


def test_a_diary_range_that_ends_before_it_starts_names_the_line(site):
    text = (
        "May Newsletter 2025\n\nIn this issue:\n\nNews.\n\n\nNews\n\nText.\n\n\n"
        "Dates for your diary\n\n18 to 12 May 2025 - Backwards week\n"
    )
    with pytest.raises(IssueImportError) as error:
        import_issue_text(text)
    assert error.value.line == 15
    assert "ends before it starts" in error.value.message


def test_diary_dates_need_an_events_listing_to_go_into(newsletter_index, training_index):
    with pytest.raises(IssueImportError) as error:
        import_issue_file(SEED)
    assert error.value.line == 50
    assert "no 'Dates for your diary' page" in error.value.message
    assert not NewsletterIssuePage.objects.exists()


def test_markup_in_imported_text_is_shown_as_text_never_run(site, client):
    text = (
        "May Newsletter 2025\n\nIn this issue:\n\nNews.\n\n\nNews\n\n"
        'Read <script>alert("x")</script> and <a href="javascript:alert(1)">this</a>.\n'
    )
    result = import_issue_text(text, publish=True)

    html = client.get(result.issue.url).text
    section = BeautifulSoup(html, "html.parser").select_one(".issue-section")
    assert section.find("script") is None
    assert [a.get("href") for a in section.find_all("a")] == []
    assert 'Read <script>alert("x")</script> and <a href="javascript:alert(1)">this</a>.' in (
        section.get_text()
    )


def test_an_issue_already_there_for_the_month_is_updated_by_the_import(site):
    existing = make_issue(site["newsletter"], datetime.date(2025, 3, 1), body=[section("Old")])

    result = import_issue_file(SEED, publish=True)

    assert result.issue.pk == existing.pk and result.changed
    assert NewsletterIssuePage.objects.get().title == "March Newsletter"


# --- Dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18 March 2025", (datetime.date(2025, 3, 18), None)),
        ("Tuesday 18th March 2025", (datetime.date(2025, 3, 18), None)),
        ("12 to 18 May 2025", (datetime.date(2025, 5, 12), datetime.date(2025, 5, 18))),
        ("12–18 May 2025", (datetime.date(2025, 5, 12), datetime.date(2025, 5, 18))),
        ("30 May to 2 June 2025", (datetime.date(2025, 5, 30), datetime.date(2025, 6, 2))),
        ("30 Dec to 2 Jan 2026", (datetime.date(2025, 12, 30), datetime.date(2026, 1, 2))),
        (
            "31 December 2025 to 2 January 2026",
            (datetime.date(2025, 12, 31), datetime.date(2026, 1, 2)),
        ),
    ],
)
def test_diary_dates_are_read_as_people_write_them(text, expected):
    assert parse_date(text, line=1) == expected


@pytest.mark.parametrize("text", ["31 February 2025", "March 2025", "soon", "18/03/2025"])
def test_dates_that_are_not_dates_are_refused(text):
    with pytest.raises(IssueParseError):
        parse_date(text, line=7)


# --- The command ---------------------------------------------------------------------------


def test_command_imports_and_publishes_several_files(site):
    out = StringIO()
    call_command("import_newsletter", str(SEED), str(APRIL), "--publish", stdout=out)

    assert NewsletterIssuePage.objects.live().count() == 2
    output = out.getvalue()
    assert "Created the March 2025 issue “March Newsletter” (published)" in output
    assert "line 41: no course titled “Website user research session”" in output


def test_command_takes_the_month_with_date(site):
    call_command("import_newsletter", str(WINTER), "--date", "2025-12", stdout=StringIO())
    issue = NewsletterIssuePage.objects.get()
    assert issue.issue_date == datetime.date(2025, 12, 1)
    assert not issue.live


def test_command_refuses_a_badly_written_date(site):
    with pytest.raises(CommandError, match="--date: 'December' is not a month"):
        call_command("import_newsletter", str(WINTER), "--date", "December")


def test_command_reports_the_bad_file_and_still_imports_the_good_one(site):
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 2 files could not be imported"):
        call_command(
            "import_newsletter",
            str(DATA / "bad-diary-date.txt"),
            str(APRIL),
            stdout=StringIO(),
            stderr=err,
        )
    assert "bad-diary-date.txt, line 17: cannot read 'Sometime in June'" in err.getvalue()
    assert list(NewsletterIssuePage.objects.values_list("issue_date", flat=True)) == [
        datetime.date(2025, 4, 1)
    ]


def test_sanitise_keeps_only_simple_markup():
    assert importer.sanitise('<p onclick="x()">Hi <img src=x onerror=y()></p>') == "<p>Hi </p>"
