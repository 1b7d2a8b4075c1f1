"""The "In this issue" contents list, built from the headings of an issue's blocks.

Anchors are slugs of the headings, so a link such as ``/newsletter/march-2025/#neglect-audit``
keeps working while the heading stays the same; a repeated heading gets ``-2``, ``-3``.
The list is read from the stored data of the body, so building it costs no query: the home
page shows the latest issue's contents without loading its images or linked pages.
"""

from dataclasses import dataclass

from django.utils.text import slugify

# Blocks that carry a heading of their own and so appear in the contents list.
HEADED_BLOCK_TYPES = ("section", "diary", "training_spotlight")
MAX_ANCHOR_LENGTH = 60
# Ids the page layout already uses; an anchor never takes one of them.
RESERVED_IDS = frozenset(
    {"main-content", "in-this-issue", "issue-contents-heading", "signup-box-heading", "content"}
)


@dataclass(frozen=True)
class ContentsEntry:
    heading: str
    anchor: str
    index: int  # position of the block in the body


def anchor_for(heading, taken):
    """A slug for the heading that is not in ``taken``; adds it to ``taken``."""
    base = slugify(heading)
    if len(base) > MAX_ANCHOR_LENGTH:
        base = base[:MAX_ANCHOR_LENGTH].rsplit("-", 1)[0]
    base = base.strip("-") or "section"
    if not base[0].isalpha():
        base = f"section-{base}"
    anchor, number = base, 2
    while anchor in taken or anchor in RESERVED_IDS:
        anchor = f"{base}-{number}"
        number += 1
    taken.add(anchor)
    return anchor


def issue_contents(body):
    """The contents list of a body (a StreamValue): one entry per block with a heading."""
    entries = []
    taken = set()
    for index, item in enumerate(body.raw_data):
        if item.get("type") not in HEADED_BLOCK_TYPES:
            continue
        heading = ((item.get("value") or {}).get("heading") or "").strip()
        if heading:
            entries.append(ContentsEntry(heading, anchor_for(heading, taken), index))
    return entries
