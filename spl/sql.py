"""SQL written by hand, where the ORM took longer to build a query than the
database to run it (spl.backends, spl.querysets, caseload.flags): its tables
are named by their models, never spelt out.

    SQL.format(**table_names(plan=Plan, member="spl.Membership"))
"""

from django.apps import apps
from django.db import connection


def table_names(**models):
    """{name: the quoted table of the model}: a model class, or its
    "app_label.Model" label where importing the model would be circular."""
    return {
        name: connection.ops.quote_name(
            (apps.get_model(model) if isinstance(model, str) else model)._meta.db_table
        )
        for name, model in models.items()
    }
