from django.core.management.base import BaseCommand

from finsam.demo import DEMO_PASSWORD
from followup.demo import load_demo


class Command(BaseCommand):
    help = "Loads the three seed förbund, the demo users and the year after adoption (idempotent)."

    def handle(self, *args, **options):
        for forbund in load_demo():
            self.stdout.write(f"Laddade {forbund.name}")
        self.stdout.write(
            self.style.SUCCESS(f"Demodata klar. Alla demoanvändare har lösenordet {DEMO_PASSWORD}.")
        )
