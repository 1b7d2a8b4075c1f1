"""The diary's filter: a plain GET form that works without JavaScript."""

import datetime
import functools

from django import forms

from events.dates import MONTHS


def month_value(month):
    return month.strftime("%Y-%m")


def month_label(month):
    return f"{MONTHS[month.month - 1]} {month.year}"


class MonthField(forms.ChoiceField):
    """A month written 2025-05. Any real month is accepted, not only those offered, so a
    shared link to a month with no dates left shows an empty month rather than an error."""

    def valid_value(self, value):
        try:
            month = datetime.datetime.strptime(value, "%Y-%m").date()
        except (TypeError, ValueError):
            return False
        return 2000 <= month.year <= 2100

    def clean(self, value):
        value = super().clean(value)
        return datetime.datetime.strptime(value, "%Y-%m").date() if value else None


class EventFilterForm(forms.Form):
    """Category and month. Choices are given by the view, and read only when the form is
    shown or a category is checked (``categories`` is a queryset, ``months`` a function), so
    a page that keeps the form in a cached fragment does not ask for them."""

    category = forms.ChoiceField(
        label="Category",
        required=False,
        help_text="The kind of date, for example awareness days or LSCP events.",
    )
    month = MonthField(
        label="Month",
        required=False,
        help_text="Dates on any day of the month, including weeks that run into it.",
    )

    def __init__(self, data=None, *, categories, months, **kwargs):
        super().__init__(data, **kwargs)
        self.offered_categories = categories
        # Functions: Django reads them when the choices are shown or a value is checked.
        # (MonthField accepts any real month, so checking one does not read them.)
        self.fields["category"].choices = self.category_choices
        self.fields["month"].choices = functools.partial(self.month_choices, months)
        self.fields["category"].error_messages["invalid_choice"] = (
            "Choose a category from the list."
        )
        self.fields["month"].error_messages["invalid_choice"] = "Choose a month from the list."

    @functools.cached_property
    def categories(self):
        return {category.slug: category for category in self.offered_categories}

    def category_choices(self):
        return [("", "All categories")] + [
            (slug, category.name) for slug, category in self.categories.items()
        ]

    def month_choices(self, months):
        """The months offered (``months()``), with the one chosen if it is not among them,
        in the order given: the diary offers upcoming months soonest first and past ones
        most recent first, as each list shows its events."""
        months = months()
        newest_first = len(months) > 1 and months[0] > months[-1]
        offered = set(months)
        chosen = self.data.get("month", "") if self.is_bound else ""
        if self.fields["month"].valid_value(chosen):
            offered.add(datetime.datetime.strptime(chosen, "%Y-%m").date())
        return [("", "Any month")] + [
            (month_value(month), month_label(month))
            for month in sorted(offered, reverse=newest_first)
        ]

    def clean_category(self):
        slug = self.cleaned_data["category"]
        return self.categories.get(slug) if slug else None

    def chosen(self, *, default_category=None):
        """(category, month) to list: what was chosen, each None for all; if the filter
        cannot be applied, ``default_category`` (the category of the page's address) and any
        month, and the page shows beside each field what was wrong."""
        if self.is_valid():
            return self.cleaned_data["category"], self.cleaned_data["month"]
        return default_category, None
