from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    # post_migrate is sent once per app, and each app's permissions are created by
    # its own signal; only after the last app's have all permissions been created.
    last = [config for config in apps.get_app_configs() if config.models_module][-1]
    if sender is not last:
        return
    # Roles name models' permissions: importable only once every app has loaded.
    from spl.roles import sync_roles

    sync_roles()


class SplConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "spl"
    verbose_name = "People and organisations"

    def ready(self):
        post_migrate.connect(_sync_roles, dispatch_uid="spl.sync_roles")
