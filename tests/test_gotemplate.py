"""monspec's template check agrees with promtool on what parses, case by case.

Each probe becomes one alert of a scratch rule file; promtool names the rules whose annotation
does not parse, and gotemplate.check must refuse exactly those.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from generator.gotemplate import TemplateError, check

PROBES = [
    "{{ $value }}",
    "{{ $value | humanizePercentage }}",
    "{{ $labels.route }} {{ .Labels.route }} {{ $externalLabels.x }} {{ $externalURL }}",
    '{{ "{{" }}',
    '{{ "}}" }}',
    "{{ `raw }}` }}",
    "{{/* a comment }} {{ */}}",
    "{{- /* trimmed */ -}}",
    "{{- $value -}} {{-3}} {{ -3 }}",
    "{{ if $value }}a{{ else if true }}b{{ else }}c{{ end }}",
    "{{ range $i, $v := $labels }}{{ $i }}={{ $v }}{{ break }}{{ end }}",
    "{{ with $value }}{{ . }}{{ end }}",
    '{{ define "x" }}y{{ end }}{{ template "x" }}{{ block "z" . }}w{{ end }}',
    '{{ printf "%.2f" $value | len }} {{ (humanize $value) }}',
    "{{ 0x1F }} {{ 1.5e3 }} {{ .5 }} {{ 1_000 }} {{ 0o17 }} {{ 'x' }} {{ '\\n' }}",
    '{{ "\\u00e9 \\x41 \\101 \\t" }}',
    "{{ $a := 1 }}{{ if true }}{{ $a }}{{ $b := 2 }}{{ $b }}{{ end }}",
    "{{ nil }} {{ true }} {{ .Anything.Goes }}",
    "{{ }}",
    "{{",
    "{{ $value }} {{",
    "x {{ {{ }} }}",
    "{{ end }}",
    "{{ else }}",
    "{{ if }}{{ end }}",
    "{{ if true }}",
    "{{ if 1 }}{{ else }}{{ else }}{{ end }}",
    "{{ with 1 }}{{ else with 2 }}{{ end }}",
    "{{ range $labels }}{{ else if 1 }}{{ end }}",
    "{{ break }}",
    "{{ nosuchfunc }}",
    "{{ $undefined }}",
    "{{ if true }}{{ $z := 1 }}{{ end }}{{ $z }}",
    "{{ $x, $y := 1 }}",
    '{{ "\\q" }}',
    "{{ 'ab' }}",
    "{{ 'x }}",
    "{{ 1x }}",
    "{{ 08 }}",
    "{{ humanize ( }}",
    "{{ /* not a comment */ }}",
    "{{ , }}",
    "{{ := }}",
    "{{ é }}",
    "{{ template }}",
    "{{ $labels. }}",
    "{{ .. }}",
    '{{ "a".b }}',
    "{{ humanize(1) }}",
    "{{ $value$value }}",
    "{{ true.x }}",
    "{{ (1).x }} {{ ($value).x }} {{$value|humanize}} {{-(1)-}} {{ .}}",
]


def test_check_agrees_with_promtool(tmp_path: Path, promtool: str) -> None:
    rules = [{"alert": f"A{i}", "expr": "up", "annotations": {"s": p}} for i, p in enumerate(PROBES)]
    (tmp_path / "r.yml").write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": rules}]}))
    proc = subprocess.run([promtool, "check", "rules", "r.yml"], cwd=tmp_path, capture_output=True, text=True)
    refused_by_go = {int(n) - 1 for n in re.findall(r'rule (\d+), "A\d+": annotation', proc.stdout + proc.stderr)}
    assert refused_by_go, "promtool refused none of the probes: the probes prove nothing"
    mine = set()
    for i, probe in enumerate(PROBES):
        try:
            check(probe)
        except TemplateError:
            mine.add(i)
    disagree = sorted(refused_by_go ^ mine)
    assert not disagree, [(PROBES[i], "go refuses" if i in refused_by_go else "monspec refuses") for i in disagree]
