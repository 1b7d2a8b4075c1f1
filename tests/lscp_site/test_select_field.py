"""The filters' plain <select> (templates/components/select_field.html)."""

from django import forms
from django.template.loader import render_to_string

from bs4 import BeautifulSoup


class FilterForm(forms.Form):
    audience = forms.ChoiceField(
        required=False,
        choices=[("", "Everyone"), ("early-years", "Early years & <nursery>"), ('"q"', "Q's")],
    )


def options(form):
    html = render_to_string("components/select_field.html", {"field": form["audience"]})
    select = BeautifulSoup(html, "html.parser").select_one("select#id_audience")
    return html, [(o["value"], o.get_text(), o.has_attr("selected")) for o in select("option")]


def test_the_chosen_value_is_selected_and_every_value_and_label_escaped():
    html, found = options(FilterForm({"audience": "early-years"}))

    assert found == [
        ("", "Everyone", False),
        ("early-years", "Early years & <nursery>", True),
        ('"q"', "Q's", False),
    ]
    assert "Early years &amp; &lt;nursery&gt;" in html
    assert 'value="&quot;q&quot;"' in html and "Q&#x27;s" in html  # as Django escapes


def test_an_unbound_form_selects_nothing_and_an_empty_choice_selects_the_first():
    assert [selected for *_, selected in options(FilterForm())[1]] == [False, False, False]
    assert [selected for *_, selected in options(FilterForm({"audience": ""}))[1]] == [
        True,
        False,
        False,
    ]
