"""manage.py send_issue: the operators' way to send an issue and watch it go."""

from io import StringIO

from django.core import mail
from django.core.management import CommandError, call_command

from wagtail.models import PageLogEntry

import pytest

from newsletter.sending_models import Send
from tests.newsletter.sending_support import rich_issue, subscribers, topic

pytestmark = pytest.mark.django_db

# A send is committed for real (not rolled back in one test transaction), as when an operator
# runs it: the send's tasks run once their transaction commits, while the command watches.
# The refusals below stop before anything is sent, in an ordinary test.
committed = pytest.mark.django_db(transaction=True)


@pytest.fixture
def issue(newsletter_index):
    return rich_issue(newsletter_index)


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("send_issue", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@committed
def test_sends_an_issue_named_by_slug_and_shows_progress(issue):
    people = subscribers(3)
    out, err = run("march-2025", "--yes")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert "Sending “March Newsletter” to 3 confirmed subscribers." in out
    assert "Finished: 3 sent, 0 failed, 0 skipped." in out
    assert "[##############################] 100%  3/3 done  3 sent, 0 failed" in err
    assert PageLogEntry.objects.filter(page=issue, action="newsletter.send").exists()


@committed
def test_sends_by_page_id_to_chosen_topics(issue):
    training = topic("Training and development opportunities", "training")
    chosen = subscribers(2, topics=[training], prefix="t")
    subscribers(2, prefix="others")
    out, _ = run(str(issue.pk), "--topics", "training", "--yes")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in chosen)
    assert "who chose Training and development opportunities" in out


def test_a_test_email_goes_only_to_the_given_addresses(issue):
    subscribers(3)
    out, _ = run("march-2025", "--test-to", "me@example.org", "--test-to", "you@example.org")
    assert sorted(m.to[0] for m in mail.outbox) == ["me@example.org", "you@example.org"]
    assert all(m.subject.startswith("[Test] ") for m in mail.outbox)
    assert not Send.objects.exists()
    assert "Test email of “March Newsletter” sent to me@example.org, you@example.org." in out


def test_refuses_without_confirmation_when_not_interactive(issue):
    subscribers(2)
    with pytest.raises(CommandError, match="would send “March Newsletter” to 2 confirmed"):
        call_command("send_issue", "march-2025", interactive=False)
    assert not Send.objects.exists() and not mail.outbox


@committed
def test_a_second_send_needs_resend_and_reaches_only_newcomers(issue):
    subscribers(2)
    run("march-2025", "--yes")
    (newcomer,) = subscribers(1, prefix="new")
    with pytest.raises(CommandError, match="sent before"):
        call_command("send_issue", "march-2025", "--yes")
    run("march-2025", "--yes", "--resend")
    assert [m.to[0] for m in mail.outbox[2:]] == [newcomer.email]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["no-such-issue"], "No newsletter issue with the id or slug 'no-such-issue'"),
        (["999999"], "No newsletter issue with the id or slug '999999'"),
        (["march-2025", "--topics", "nope", "--yes"], "No topic with the slug: nope"),
        (["march-2025", "--test-to", "not an address"], "is not an email address"),
        (["march-2025", "--resume"], "has no unfinished send"),
    ],
)
def test_bad_input_is_a_clear_error(issue, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("send_issue", *arguments)


def test_an_unpublished_issue_is_refused(newsletter_index):
    draft = rich_issue(newsletter_index, live=False)
    subscribers(1)
    with pytest.raises(CommandError, match="Only a published issue"):
        call_command("send_issue", str(draft.pk), "--yes")
