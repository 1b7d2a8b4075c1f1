"""Hooks for other apps that keep rows about a subscriber (newsletter deliveries, say).

Rows that point at a ``Subscriber`` with ``on_delete=CASCADE`` are erased with it and need
nothing more. An app that keeps a copy of the address, or anything else about the person,
connects to these signals so that a subject access request and an erasure cover it too:

    from subscriptions.signals import subscriber_erasing, subscriber_exporting

    @receiver(subscriber_erasing)
    def erase_my_rows(sender, subscriber, **kwargs):
        MyRow.objects.filter(email__iexact=subscriber.email).delete()

    @receiver(subscriber_exporting)
    def export_my_rows(sender, subscriber, **kwargs):
        return {"my_rows": [...]}      # a dict of JSON-serialisable sections

Both are sent inside the transaction of ``signup.erase_subscriber`` /
``signup.export_subscriber_data``: an erasure that fails in any app erases nothing.
"""

from django.dispatch import Signal

# Sent with ``subscriber`` just before the subscriber is deleted.
subscriber_erasing = Signal()

# Sent with ``subscriber``; each receiver returns a dict of sections to add to the export.
subscriber_exporting = Signal()
