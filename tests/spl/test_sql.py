"""Hand-written SQL names its tables by their models."""

from django.db import connection

from spl.models import Membership
from spl.sql import table_names


def test_a_table_is_named_alike_by_its_model_or_its_label():
    assert table_names(by_class=Membership, by_label="spl.Membership") == {
        "by_class": connection.ops.quote_name("spl_membership"),
        "by_label": connection.ops.quote_name("spl_membership"),
    }
