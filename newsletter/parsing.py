"""Reading an issue in its plain-text form (the form of home/demo_content/*.txt).

The form, line by line::

    March Newsletter                      <- line 1: the title
                                          <- a blank line
    In this issue:                        <- "In this issue:", then its paragraph: the summary
                                          <-
    A new approach to LSCP training, ...
                                          <- two (or more) blank lines, then a heading
                                          <-
    LSCP safeguarding training is changing!
                                          <- one blank line between paragraphs
    We're delighted to announce ...

    Book your place on Working Together.  <- a call to action linking the course of that title

    - a line starting with a dash         <- list items (one per paragraph or per line)


    Dates for your diary                  <- a diary: one date per line, "DATE - WHAT"

    18 March 2025 - National Child Exploitation Awareness Day

    12 to 18 May 2025 - Mental Health Awareness Week


    Register for your copy of our newsletter ...   <- the sign-up box (its text is the
                                                      site's own and is not imported)

A heading is a line on its own after two or more blank lines. A line "Quick leave" at the
very end (copied from the old site with the text) is ignored. The parser only reads: it
touches no database, and every problem is an ``IssueParseError`` naming the line.
"""

import datetime
import re
from dataclasses import dataclass, field

from newsletter.dates import MONTH_NAMES

MONTHS = {name.lower(): number for number, name in enumerate(MONTH_NAMES, start=1)}
MONTHS.update({name[:3].lower(): number for name, number in list(MONTHS.items())})
MONTHS["sept"] = 9
MONTH_PATTERN = "|".join(sorted(MONTHS, key=len, reverse=True))
WEEKDAYS = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+"

IN_THIS_ISSUE = re.compile(r"^in this issue\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
DIARY_HEADING = re.compile(r"^(key )?dates for (your|the) diary\b", re.IGNORECASE)
SIGNUP_HEADING = re.compile(r"^register for your copy\b", re.IGNORECASE)
BOOK_YOUR_PLACE = re.compile(r"^book your place on\s+(?P<course>.+?)[.!]?$", re.IGNORECASE)
BULLET = re.compile(r"^[-•*]\s+(?P<text>.+)$")
IGNORED_TRAILING_LINES = {"quick leave"}
# "18 March 2025 - What": the date, then a dash with spaces round it (or a colon), then what.
DIARY_LINE = re.compile(
    r"^(?P<when>.+?)\s+[-–—]\s+(?P<what>.+)$|^(?P<when2>[^:]+?):\s+(?P<what2>.+)$"
)
_DAY = r"(?P<{}>\d{{1,2}})(?:st|nd|rd|th)?"
_MONTH = rf"(?P<{{}}>{MONTH_PATTERN})\.?"
SINGLE_DATE = re.compile(
    rf"^(?:{WEEKDAYS})?{_DAY.format('d')}\s+{_MONTH.format('m')}\s+(?P<y>\d{{4}})$",
    re.IGNORECASE,
)
DATE_RANGE = re.compile(
    rf"^(?:{WEEKDAYS})?{_DAY.format('d1')}(?:\s+{_MONTH.format('m1')})?(?:\s+(?P<y1>\d{{4}}))?"
    rf"\s*(?:to|until|–|—|-)\s*"
    rf"(?:{WEEKDAYS})?{_DAY.format('d2')}\s+{_MONTH.format('m2')}\s+(?P<y2>\d{{4}})$",
    re.IGNORECASE,
)
MONTH_YEAR = re.compile(rf"\b(?P<m>{MONTH_PATTERN})\.?\s+(?P<y>(19|20)\d\d)\b", re.IGNORECASE)
TITLE_MONTH = re.compile(rf"\b(?P<m>{MONTH_PATTERN})\b", re.IGNORECASE)
TITLE_YEAR = re.compile(r"\b(?P<y>(19|20)\d\d)\b")

MAX_TITLE_LENGTH = 255
MAX_HEADING_LENGTH = 200


class IssueParseError(ValueError):
    """A problem in the text of an issue, at a line (counted from 1)."""

    def __init__(self, message, *, line):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self):
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class Paragraph:
    line: int  # the number of its first line
    lines: tuple[str, ...]
    blank_before: int

    @property
    def text(self):
        return " ".join(self.lines)


@dataclass(frozen=True)
class CallToAction:
    line: int
    course_title: str

    @property
    def link_text(self):
        return f"Book your place on {self.course_title}"


@dataclass(frozen=True)
class ListItems:
    line: int
    items: tuple[str, ...]


@dataclass(frozen=True)
class TextParagraph:
    line: int
    text: str


@dataclass
class Section:
    line: int
    heading: str
    parts: list = field(default_factory=list)  # TextParagraph, ListItems, CallToAction


@dataclass(frozen=True)
class DiaryDate:
    line: int
    title: str
    start: datetime.date
    end: datetime.date | None = None


@dataclass
class Diary:
    line: int
    heading: str
    dates: list[DiaryDate] = field(default_factory=list)


@dataclass(frozen=True)
class SignupPrompt:
    line: int


@dataclass
class ParsedIssue:
    title: str
    issue_date: datetime.date
    summary: str
    blocks: list  # Section, Diary, SignupPrompt


def read_text(data):
    """The text of a file's bytes, or an IssueParseError naming the first unreadable line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise IssueParseError(
            "this is not UTF-8 text. Open the file and save it again as 'UTF-8'.", line=line
        ) from None


def paragraphs(text):
    """The paragraphs of the text with the number of blank lines before each."""
    lines = [line.replace("\u00a0", " ").rstrip() for line in text.splitlines()]
    while lines and (not lines[-1].strip() or lines[-1].strip().lower() in IGNORED_TRAILING_LINES):
        lines.pop()
    result, current, start, blanks = [], [], 0, 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                start = number
            current.append(re.sub(r"\s+", " ", line.strip()))
        elif current:
            result.append(Paragraph(start, tuple(current), blanks))
            current, blanks = [], 1
        else:
            blanks += 1
    if current:
        result.append(Paragraph(start, tuple(current), blanks))
    return result


def parse_date(text, *, line):
    """'18 March 2025' -> (date, None); '30 May to 2 June 2025' -> (start, end)."""
    text = re.sub(r"\s+", " ", text.strip())
    try:
        if match := SINGLE_DATE.match(text):
            return _date(match["y"], match["m"], match["d"]), None
        if match := DATE_RANGE.match(text):
            end = _date(match["y2"], match["m2"], match["d2"])
            start = _date(match["y1"] or end.year, match["m1"] or end.month, match["d1"])
            if not match["y1"] and start.month > end.month:
                # "30 December to 2 January 2026": the start is in the year before.
                start = start.replace(year=start.year - 1)
            if start >= end:
                raise IssueParseError(f"'{text}' ends before it starts.", line=line)
            return start, end
    except ValueError as error:
        if isinstance(error, IssueParseError):
            raise
        raise IssueParseError(f"'{text}' is not a date in the calendar.", line=line) from None
    raise IssueParseError(
        f"cannot read '{text}' as a date: write it like '18 March 2025', '12 to 18 May 2025' "
        "or '30 May to 2 June 2025'.",
        line=line,
    )


def _date(year, month, day):
    if isinstance(month, str):
        month = MONTHS[month.lower().rstrip(".")]
    return datetime.date(int(year), int(month), int(day))


def parse_diary_line(text, *, line):
    match = DIARY_LINE.match(text)
    if not match:
        raise IssueParseError(
            f"cannot read '{text}' as a diary date: write it like "
            "'18 March 2025 - National Child Exploitation Awareness Day'.",
            line=line,
        )
    when = match["when"] or match["when2"]
    what = (match["what"] or match["what2"]).strip()
    start, end = parse_date(when, line=line)
    if len(what) > MAX_TITLE_LENGTH:
        raise IssueParseError(
            f"the name of the date is longer than {MAX_TITLE_LENGTH} characters.", line=line
        )
    return DiaryDate(line=line, title=what, start=start, end=end)


def find_issue_date(title, text):
    """The first of the issue's month, from its title (and the text for the year)."""
    month_year = MONTH_YEAR.search(title)
    if month_year:
        return _date(month_year["y"], month_year["m"], 1)
    month = TITLE_MONTH.search(title)
    if month:
        number = MONTHS[month["m"].lower()]
        year = TITLE_YEAR.search(title)
        if year:
            return _date(year["y"], number, 1)
        for candidate in MONTH_YEAR.finditer(text):
            if MONTHS[candidate["m"].lower()] == number:
                return _date(candidate["y"], number, 1)
    raise IssueParseError(
        "cannot tell which month this issue is for. Put the month and year in the title "
        "(for example 'March 2025 Newsletter') or give it with --date 2025-03.",
        line=1,
    )


def _section_parts(paras):
    parts = []
    for para in paras:
        bullets = [BULLET.match(line) for line in para.lines]
        if all(bullets):
            items = tuple(match["text"] for match in bullets)
            if parts and isinstance(parts[-1], ListItems):
                parts[-1] = ListItems(parts[-1].line, parts[-1].items + items)
            else:
                parts.append(ListItems(para.line, items))
        elif match := BOOK_YOUR_PLACE.match(para.text):
            parts.append(CallToAction(para.line, match["course"].strip()))
        else:
            parts.append(TextParagraph(para.line, para.text))
    return parts


def parse_issue(text, *, issue_date=None):
    """Read the text of an issue into a ParsedIssue; raises IssueParseError."""
    paras = paragraphs(text)
    if not paras:
        raise IssueParseError("the file is empty.", line=1)
    title_para, rest = paras[0], paras[1:]
    if len(title_para.lines) > 1:
        raise IssueParseError(
            "the first line must be the issue's title on its own, followed by a blank line.",
            line=title_para.line + 1,
        )
    title = title_para.text
    if len(title) > MAX_TITLE_LENGTH:
        raise IssueParseError(
            f"the title is longer than {MAX_TITLE_LENGTH} characters.", line=title_para.line
        )
    if issue_date is None:
        issue_date = find_issue_date(title, text)

    if not rest or not (match := IN_THIS_ISSUE.match(rest[0].text)):
        line = rest[0].line if rest else title_para.line + 1
        raise IssueParseError(
            "expected 'In this issue:' and a short summary of the issue after the title.",
            line=line,
        )
    summary_parts = [match["rest"].strip()] if match["rest"].strip() else []
    rest = rest[1:]
    while rest and rest[0].blank_before < 2:
        summary_parts.append(rest[0].text)
        rest = rest[1:]
    if not summary_parts:
        raise IssueParseError(
            "'In this issue:' needs a paragraph under it summarising the issue.",
            line=(rest[0].line if rest else title_para.line + 2),
        )

    blocks = []
    while rest:
        heading_para, rest = rest[0], rest[1:]
        if len(heading_para.lines) > 1:
            raise IssueParseError(
                "expected a heading on a line of its own here (a heading follows two blank "
                "lines; paragraphs of the same section follow one).",
                line=heading_para.line,
            )
        body = []
        while rest and rest[0].blank_before < 2:
            body.append(rest[0])
            rest = rest[1:]
        heading = heading_para.text
        if DIARY_HEADING.match(heading):
            diary = Diary(heading_para.line, heading)
            for para in body:
                for offset, line_text in enumerate(para.lines):
                    diary.dates.append(parse_diary_line(line_text, line=para.line + offset))
            if not diary.dates:
                raise IssueParseError(f"'{heading}' has no dates under it.", line=heading_para.line)
            blocks.append(diary)
        elif SIGNUP_HEADING.match(heading):
            blocks.append(SignupPrompt(heading_para.line))
        else:
            if len(heading) > MAX_HEADING_LENGTH:
                raise IssueParseError(
                    f"this heading is longer than {MAX_HEADING_LENGTH} characters; is it a "
                    "paragraph that needs only one blank line before it?",
                    line=heading_para.line,
                )
            if not body:
                raise IssueParseError(
                    f"the heading '{heading}' has no text under it.", line=heading_para.line
                )
            blocks.append(Section(heading_para.line, heading, _section_parts(body)))
    if not any(isinstance(block, Section) for block in blocks):
        raise IssueParseError(
            "no sections found: put each section's heading on its own line after two blank lines.",
            line=paras[-1].line,
        )
    return ParsedIssue(
        title=title, issue_date=issue_date, summary="\n\n".join(summary_parts), blocks=blocks
    )
