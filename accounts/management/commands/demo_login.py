from django.core.management.base import BaseCommand

from accounts import services


class Command(BaseCommand):
    help = "Create the demo viewer and curator accounts if missing, and print how to sign in."

    def handle(self, *args: object, **options: object) -> None:
        services.demo_accounts_ensure()
        self.stdout.write(
            "\n  Demo sign-in (viewer, three profiles):  "
            f"{services.DEMO_VIEWER_EMAIL} / {services.DEMO_PASSWORD}\n"
            "  Curator for /admin/:                    "
            f"{services.DEMO_CURATOR_EMAIL} / {services.DEMO_PASSWORD}\n"
        )
