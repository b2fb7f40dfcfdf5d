from django import template

from spl import charts

register = template.Library()


@register.simple_tag
def line_chart(points, low, high, label):
    """`{% line_chart points 7 35 "SWEMWBS over time" %}`: spl.charts.line_chart."""
    return charts.line_chart(points, low=low, high=high, label=label)


@register.simple_tag
def bar_chart(rows, label):
    """`{% bar_chart figure.rows "Referrals by reason" %}`: spl.charts.bar_chart."""
    return charts.bar_chart(rows, label=label)
