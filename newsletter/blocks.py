"""The blocks an issue is written in.

The body of an issue is an ``IssueBody`` stream of four kinds of block:

``section``
    heading, text (rich text), optional image with its alt text (or marked decorative),
    and a list of calls to action, each linking a page or a web address.
``diary``
    "Dates for your diary": either automatic (events and training sessions from the issue
    date for a number of weeks) or a hand-picked list of events.
``training_spotlight``
    chosen courses with their next sessions and the places left on each.
``signup_prompt``
    the "Register for your copy" box with the sign-up form.

Each block's ``get_context`` gathers everything its template shows, so the web page and the
email edition of an issue can render the same values with their own templates. The diary and
the spotlight show sessions, which the passing of time changes: where they choose what to
show they tell the page cache when that stops being right (``pagecache.shown_until``), so the
issue page's cached body is rendered again from then.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import strip_tags

from wagtail import blocks
from wagtail.blocks import PageChooserBlock
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from lscp_site import pagecache
from lscp_site.links import absolute as absolute_url
from newsletter import diary
from training.queries import live_courses, next_sessions_by_course

PREVIEW_TEMPLATE = "newsletter/block_preview.html"

SECTION_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link", "document-link"]

# The renditions of a section's picture (templates/components/blocks/newsletter_section.html:
# {% picture value.image format-{avif,webp} width-{480,800} %}), as Wagtail names them.
SECTION_PICTURE_SPECS = tuple(
    f"format-{image_format}|width-{width}"
    for image_format in ("avif", "webp")
    for width in (480, 800)
)


class SectionImageChooserBlock(ImageChooserBlock):
    """Wagtail's image chooser, loading the chosen pictures with the renditions the section
    template shows: one query for all of an issue's pictures and their renditions, instead
    of one per picture."""

    def bulk_to_python(self, values):
        values = list(values)
        images = self.model_class.objects.prefetch_renditions(*SECTION_PICTURE_SPECS).in_bulk(
            [value for value in values if value is not None]
        )
        return [images.get(value) for value in values]


def first_moment_from_now(moments):
    """The soonest of ``moments`` not yet past, or None. A moment that is now counts: what
    is shown at it may still change (a session starting now is still listed)."""
    now = timezone.now()
    return min((moment for moment in moments if moment >= now), default=None)


def sessions_change_at(sessions):
    """When what a list of sessions shows next changes with nothing edited: the first of
    them to close for booking or to start."""
    return first_moment_from_now(
        moment for session in sessions for moment in (session.closes_at, session.start)
    )


class CallToActionValue(blocks.StructValue):
    """A call to action knows where it points, whether that is a page or a web address."""

    def href(self, request=None):
        """The page's address on this site, or the web address. With the ``request`` a page
        is shown for, Wagtail reads the site's root paths once for the whole page rather than
        once for each address."""
        page = self.get("page")
        if page is not None:
            return page.get_url(request)
        return self.get("url") or ""

    @property
    def full_url(self):
        """The absolute address, for the email edition and the feeds."""
        href = self.href()
        return absolute_url(href) if href else ""


class CallToActionBlock(blocks.StructBlock):
    link_text = blocks.CharBlock(
        max_length=120,
        help_text="What the reader will do, written to make sense on its own, for example "
        "'Book your place on Working Together to Safeguard Children'.",
    )
    page = PageChooserBlock(
        required=False,
        help_text="A page on this site: a course, an event or any other page. Choose a page "
        "or enter a web address, not both.",
    )
    url = blocks.URLBlock(
        required=False,
        label="Web address",
        help_text="A page on another website, starting https://. Leave empty if you chose a "
        "page above.",
    )

    class Meta:
        icon = "link"
        label = "Call to action"
        value_class = CallToActionValue
        template = "components/blocks/newsletter_call_to_action.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "link_text": "Book your place on Working Together to Safeguard Children",
            "url": "https://www.leeds.gov.uk/",
        }
        description = "A button-style link that tells practitioners what to do next."

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["href"] = value.href(context.get("request"))
        return context

    def clean(self, value):
        value = super().clean(value)
        has_page = value.get("page") is not None
        has_url = bool(value.get("url"))
        if has_page and has_url:
            message = "Choose a page or enter a web address, not both."
            raise StructBlockValidationError(block_errors={"url": ValidationError(message)})
        if not has_page and not has_url:
            message = "Choose the page this links to, or enter a web address."
            raise StructBlockValidationError(block_errors={"page": ValidationError(message)})
        return value


class SectionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(
        max_length=200,
        help_text="The section's heading. It also appears in the 'In this issue' contents "
        "list at the top of the issue, linking down to this section.",
    )
    text = blocks.RichTextBlock(
        required=False,
        features=SECTION_TEXT_FEATURES,
        help_text="The text of the section. Email addresses and links to other sites can be "
        "added with the link button.",
    )
    image = SectionImageChooserBlock(
        required=False,
        help_text="An optional picture shown under the heading.",
    )
    image_alt = blocks.CharBlock(
        required=False,
        max_length=250,
        label="Image description (alt text)",
        help_text="Describe what the picture shows for people who cannot see it, for example "
        "'Practitioners talking round a table at the focus group'. Required unless the "
        "picture is decorative.",
    )
    image_decorative = blocks.BooleanBlock(
        required=False,
        label="The image is decorative",
        help_text="Tick only if the picture adds nothing to the text (a pattern or a stock "
        "photo), so screen readers skip it.",
    )
    calls_to_action = blocks.ListBlock(
        CallToActionBlock(),
        default=[],
        label="Calls to action",
        help_text="Optional links under the text, such as 'Book your place on ...'.",
    )
    topic = SnippetChooserBlock(
        "subscriptions.Topic",
        required=False,
        label="Alert subscribers of a topic",
        help_text="Optional. Choose a topic (for example 'Local protocols and guidance') if "
        "this section is new guidance: when the issue is published, people who asked for "
        "that topic 'as it happens' get a short email about it, and it goes in the weekly "
        "digest.",
    )

    class Meta:
        icon = "doc-full"
        label = "Section"
        template = "components/blocks/newsletter_section.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "heading": "LSCP safeguarding training is changing!",
            "text": "<p>We’re delighted to announce the launch of our new approach to "
            "training starting in April. Email us at "
            '<a href="mailto:lscp.info@leeds.gov.uk">lscp.info@leeds.gov.uk</a>.</p>',
            "calls_to_action": [
                {
                    "link_text": "Book your place on Child exploitation in Leeds",
                    "url": "https://www.leeds.gov.uk/",
                }
            ],
        }
        description = (
            "A story in the issue: a heading, its text, an optional picture and links such as "
            "'Book your place on ...'. Each heading is listed under 'In this issue'."
        )

    def clean(self, value):
        value = super().clean(value)
        text = value.get("text")
        has_text = bool(text and strip_tags(text.source).strip())
        if not has_text and not value.get("calls_to_action"):
            raise StructBlockValidationError(
                block_errors={
                    "text": ValidationError(
                        "Write the text of this section, or add a call to action under it."
                    )
                }
            )
        if (
            value.get("image") is not None
            and not (value.get("image_alt") or "").strip()
            and not value.get("image_decorative")
        ):
            raise StructBlockValidationError(
                block_errors={
                    "image_alt": ValidationError(
                        "Describe the picture for people who cannot see it, or tick 'The "
                        "image is decorative'."
                    )
                }
            )
        return value


class DiaryMode:
    AUTOMATIC = "automatic"
    CHOSEN = "chosen"
    CHOICES = [
        (AUTOMATIC, "Automatic: events and training from the issue month onwards"),
        (CHOSEN, "Hand-picked: only the events chosen below"),
    ]


def _issue_date(parent_context):
    """The date the diary counts from: the issue's month (today in a block preview)."""
    context = parent_context or {}
    issue = context.get("issue") or context.get("page")
    day = getattr(issue, "issue_date", None)
    return day or timezone.localdate()


class DiaryBlock(blocks.StructBlock):
    heading = blocks.CharBlock(
        default="Dates for your diary",
        max_length=120,
        help_text="Shown as the heading of the list and in 'In this issue'.",
    )
    mode = blocks.ChoiceBlock(
        choices=DiaryMode.CHOICES,
        default=DiaryMode.AUTOMATIC,
        widget=forms.RadioSelect,
        label="Which dates",
        help_text="Automatic lists every published event (and, if ticked below, training "
        "session) from the first of the issue's month for the number of weeks you set. "
        "Hand-picked lists only the events you choose.",
    )
    weeks = blocks.IntegerBlock(
        default=diary.DEFAULT_WEEKS,
        min_value=1,
        max_value=26,
        help_text="Automatic only: how many weeks of dates to list, counting from the first "
        "of the issue's month.",
    )
    include_training = blocks.BooleanBlock(
        default=True,
        required=False,
        label="Include training sessions",
        help_text="Automatic only: list training sessions alongside events.",
    )
    events = blocks.ListBlock(
        PageChooserBlock(page_type="events.EventPage"),
        default=[],
        label="Hand-picked events",
        help_text="Hand-picked only: the events to list. They are shown in date order. An "
        "event that is unpublished later drops out of the list.",
    )

    class Meta:
        icon = "date"
        label = "Dates for your diary"
        template = "components/blocks/newsletter_diary.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {"heading": "Dates for your diary", "mode": "automatic", "weeks": 8}
        description = (
            "A list of dates: awareness days, LSCP events and training sessions, with links. "
            "Automatic from the issue's month, or the events you pick."
        )

    def clean(self, value):
        value = super().clean(value)
        if value.get("mode") == DiaryMode.CHOSEN and not [e for e in value["events"] if e]:
            raise StructBlockValidationError(
                block_errors={
                    "events": ValidationError(
                        "Choose at least one event, or switch to automatic dates."
                    )
                }
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        if value.get("mode") == DiaryMode.CHOSEN:
            context["diary_items"] = diary.chosen_diary(events=value.get("events") or [])
        else:
            context["diary_items"] = diary.automatic_diary(
                start=_issue_date(parent_context),
                weeks=value.get("weeks") or diary.DEFAULT_WEEKS,
                include_training=bool(value.get("include_training")),
            )
        # A session's places left are listed until it starts (diary.session_item). The
        # events are a fixed span from the issue's month: the clock changes none of them.
        pagecache.shown_until(
            first_moment_from_now(item.start for item in context["diary_items"] if item.is_training)
        )
        return context


class TrainingSpotlightBlock(blocks.StructBlock):
    heading = blocks.CharBlock(
        default="Training spotlight",
        max_length=120,
        help_text="Shown as the heading of the box and in 'In this issue'.",
    )
    introduction = blocks.TextBlock(
        required=False,
        help_text="Optional. A sentence or two on why these courses matter now.",
    )
    courses = blocks.ListBlock(
        PageChooserBlock(page_type="training.CoursePage"),
        min_num=1,
        max_num=6,
        label="Courses",
        help_text="The courses to feature. Each shows its next sessions and the places left; "
        "an unpublished course is left out.",
    )
    sessions_per_course = blocks.IntegerBlock(
        default=3,
        min_value=1,
        max_value=6,
        help_text="How many of each course's next sessions to show.",
    )

    class Meta:
        icon = "group"
        label = "Training spotlight"
        template = "components/blocks/newsletter_training_spotlight.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {"heading": "Training spotlight", "courses": [], "sessions_per_course": 2}
        description = (
            "Chosen courses with their next sessions and how many places are left, each with "
            "a link to book."
        )

    def get_preview_value(self):
        value = dict(self.meta.preview_value)
        value["courses"] = [course.pk for course in live_courses().order_by("pk")[:2]]
        return self.to_python(value)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        courses = [course for course in value.get("courses") or [] if course and course.live]
        sessions = next_sessions_by_course(
            courses, per_course=value.get("sessions_per_course") or 3
        )
        context["spotlight"] = [(course, sessions.get(course.pk, [])) for course in courses]
        # Each course lists its next sessions, and a button to book while it has some: when
        # the first of them closes or starts, what is listed (and offered) may change.
        pagecache.shown_until(
            sessions_change_at(session for _, listed in context["spotlight"] for session in listed)
        )
        return context


class SignupPromptBlock(blocks.StaticBlock):
    class Meta:
        icon = "mail"
        label = "Sign-up prompt"
        admin_text = (
            "Shows the 'Register for your copy' box with the sign-up form. Nothing to fill in."
        )
        template = "components/blocks/newsletter_signup_prompt.html"
        preview_template = PREVIEW_TEMPLATE
        description = (
            "The 'Register for your copy of our newsletter' box, where practitioners sign up "
            "for the newsletter by email. Put it at the end of the issue."
        )


class IssueBody(blocks.StreamBlock):
    section = SectionBlock()
    diary = DiaryBlock()
    training_spotlight = TrainingSpotlightBlock()
    signup_prompt = SignupPromptBlock()

    class Meta:
        block_counts = {"signup_prompt": {"max_num": 1}}
