"""The class report from brief sheets (interned ids, as workers send them) equals the one from full reports."""

from __future__ import annotations

import numpy as np

from bptt_trace import check_job, jobs
from bptt_trace.marking.brief import brief
from bptt_trace.marking.classroom import MAX_GROUP, MAX_PAIRS, MIN_SHARED, SIMILAR, ClassReport, _text, _texts
from tests.conftest import ROOT

SCENARIO = str(ROOT / "scenarios" / "sentiment.yaml")


def reference_similar(sheets) -> list:
    """The near-identical pairs as the class report first found them, from every sheet's verdicts."""
    slips: dict = {}
    for n, s in enumerate(sheets):
        for v in s.report.verdicts:
            if v.verdict not in ("correct", "unanswered"):
                slips.setdefault((v.name or v.answer.name, v.answer.example, _text(v.answer.entries)), []).append(n)
    pairs = {(i, j) for group in slips.values() if len(group) <= MAX_GROUP
             for k, i in enumerate(group) for j in group[k + 1:]}
    out = []
    for i, j in sorted(pairs):
        a, b = _texts(sheets[i].report.verdicts), _texts(sheets[j].report.verdicts)
        both = [k for k in a if k in b and a[k] != "~"]
        if len(both) >= MIN_SHARED:
            same = sum(a[k] == b[k] for k in both) / len(both)
            if same >= SIMILAR:
                out.append((sheets[i].student, sheets[j].student, same))
    return sorted(out, key=lambda p: (-p[2], p[0], p[1]))[:MAX_PAIRS]


def test_near_identical_sheets_are_found_alike_from_full_and_brief_sheets(tmp_path):
    job = jobs.prepare(SCENARIO)
    checker, spec, _ = check_job.checker_for(job, None)
    names = [n for n in job.trace.names(1) if n.startswith(("h[", "z[", "W_xh·x["))][:12]
    paths = []
    for i in range(14):
        lines = [f"student: s{i}", "examples:", "  1:"]
        for k, n in enumerate(names):
            v = np.round(np.asarray(job.trace.value(n, 1), dtype=float), 3) + 0.1 * (k == 2 and i % 2 == 0)
            text = "~" if (i == 3 and k == 5) or (i == 4 and k in (6, 7)) else v.tolist()
            if not (i % 5 == 1 and k == 8):  # some sheets leave a name out: other names in their sequence
                lines.append(f"    {n}: {text}")
        (tmp_path / f"s{i:02d}.yaml").write_text("\n".join(lines) + "\n")
        paths.append(str(tmp_path / f"s{i:02d}.yaml"))
    full = list(check_job.mark_all(checker, spec, paths, 1))
    full_class, brief_class = ClassReport(), ClassReport()
    for s in full:
        full_class.add(s.student, s.report)
        brief_class.add(s.student, brief(s).report)
    expected = reference_similar(full)
    assert expected and any(share < 1 for _, _, share in expected)
    assert full_class.similar() == brief_class.similar() == expected
    assert full_class.wrong == brief_class.wrong and full_class.first == brief_class.first
