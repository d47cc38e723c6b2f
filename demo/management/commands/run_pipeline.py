from pathlib import Path

from django.core.management.base import BaseCommand

from demo.pipeline import run_pipeline
from proposals.enums import ProposalStatus


class Command(BaseCommand):
    help = "Drive N new proposals through every stage with the web's services and write every letter as PDF."

    def add_arguments(self, parser):
        parser.add_argument("--proposals", type=int, default=10)
        parser.add_argument("--out", type=Path, default=Path("letters"))
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, proposals, out, seed, **options):
        counts = run_pipeline(count=proposals, out_dir=out, seed=seed)
        letters = len(list(out.glob("*.pdf")))
        self.stdout.write(f"{proposals} proposals driven through the pipeline; {letters} letters written to {out}/")
        for status in ProposalStatus:
            if counts.get(status.value):
                self.stdout.write(f"  {status.value:<18} {counts[status.value]}")
