"""Benchmark: the first document of a fresh process, cold and after `decisions.pdf.warm()` (what a server or
Celery worker now runs at start). Each case runs in a process of its own and renders the approval letter's
template (with an empty context: the layout, the bundled CJK font, the glyph check) through `render_pdf`,
three times."""

import json
import subprocess
import sys

CHILD = r"""
import json, os, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pocflow.settings")
django.setup()
from decisions import pdf
warmed = pdf.warm() if sys.argv[1] == "warm" else 0.0
times = []
for _ in range(3):
    started = time.perf_counter()
    pdf.render_pdf(template_name="decisions/letters/approval.html", context={}, language="zh-hans")
    times.append(time.perf_counter() - started)
print(json.dumps({"warm": warmed, "times": times}))
"""


def _run(mode):
    out = subprocess.run([sys.executable, "-c", "import sys\n" + CHILD, mode], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    from bench.record import record

    cold, warmed = _run("cold"), _run("warm")
    print("Documents: the first document of a fresh process (the approval letter's template through render_pdf)")
    print(f"  cold process: first {cold['times'][0]:.3f} s, then {cold['times'][1]:.3f} s and {cold['times'][2]:.3f} s")
    print(f"  warmed at start ({warmed['warm']:.3f} s, once per worker): first {warmed['times'][0]:.3f} s, "
          f"then {warmed['times'][1]:.3f} s and {warmed['times'][2]:.3f} s")
    sizes = {"pages": 1}
    record("documents: first document, cold process", cold["times"][0], "s", sizes=sizes)
    record("documents: first document, warmed worker", warmed["times"][0], "s", sizes=sizes)
    record("documents: a later document", warmed["times"][2], "s", sizes=sizes)
