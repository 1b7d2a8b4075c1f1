from django import template

from lscp_site import cards as card_templates

register = template.Library()


@register.simple_tag
def cards(template_name, **context):
    """{% cards "issue_cards.jinja" issues=issues level="2" %}: a list of listing cards,
    rendered by Jinja2 (lscp_site/cards.py)."""
    return card_templates.render(template_name, **context)
