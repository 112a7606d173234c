"""Renderings of an amendment's impact: text, Markdown (for a memo), standalone HTML."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from kg.decide.impact import ImpactReport


def _competence(state: dict[str, Any] | None) -> str:
    if state is None:
        return "—"
    agencies = (
        "; ".join(
            a["agency"]
            + (f" ({a['provision']})" if a.get("provision") else "")
            + (f" [reading {', '.join(a['readings'])}]" if a.get("readings") else "")
            for a in state["agencies"]
        )
        or "no agency"
    )
    return f"{state['status']}: {agencies}"


def _finding(state: dict[str, Any] | None) -> str:
    if state is None:
        return "no finding (the norm does not concern it)"
    extra = ""
    if state["depends_on"]:
        extra = f" (depends on {', '.join(state['depends_on'])})"
    elif state["missing"]:
        extra = f" (missing {', '.join(state['missing'])})"
    return f"{state['verdict']}{extra}"


def rows(report: ImpactReport) -> list[dict[str, Any]]:
    out = []
    for c in report.changes:
        if c["kind"] == "finding":
            what = f"{c['subject']} under {c['provision']}"
            before, after = _finding(c["before"]), _finding(c["after"])
        else:
            who = c.get("complaint") or c.get("trigger")
            what = f"who investigates {who} ({c['allegation']})"
            before, after = _competence(c["before"]), _competence(c["after"])
        out.append(
            {
                "incident": c["incident"],
                "what": what,
                "before": before,
                "after": after,
                "because": c["because"],
            }
        )
    return out


def summary(report: ImpactReport) -> str:
    changed = [m for m in report.matrix if m["changed"]]
    return (
        f"{len(report.changes)} finding(s) or competence answer(s) of the incidents "
        f"change, and {len(changed)} of the {len(report.matrix)} rows of the competence "
        f"matrix (every allegation against every respondent kind) on {report.as_of}."
    )


def text(report: ImpactReport) -> str:
    lines = [
        f"What changes if {', '.join(report.amendments)} is law",
        summary(report),
        f"(Counterfactual: treated as in force on {report.as_of}; incidents on their own dates.)",
    ]
    for w in report.warnings:
        lines.append(f"Warning: {w}")
    for f in report.flags:
        lines.append(
            f"New {f['flag']}: {f['allegation']} against {f['respondent']} "
            f"(because {', '.join(f['because'])})"
        )
    if report.changes:
        lines += ["", "Incidents"]
        for r in rows(report):
            lines.append(
                f"- {r['incident']}: {r['what']}: {r['before']} -> {r['after']} "
                f"(because {', '.join(r['because'])})"
            )
    changed = [m for m in report.matrix if m["changed"]]
    lines += ["", "Competence matrix (changed rows)"]
    if not changed:
        lines.append("- none")
    for m in changed:
        lines.append(
            f"- {m['allegation']} against {m['respondent']}: "
            f"{_competence(m['before'])} -> {_competence(m['after'])} "
            f"(because {', '.join(m.get('because', []))})"
        )
    lines += ["", report.header.notice]
    return "\n".join(lines) + "\n"


def markdown(report: ImpactReport) -> str:
    out = [
        f"# What changes if {', '.join(report.amendments)} is law",
        "",
        summary(report),
        "",
        f"*Counterfactual: treated as in force on {report.as_of}; incidents on their own "
        f"dates. Law encoded to {report.header.law_current_to}.*",
        "",
    ]
    for w in report.warnings:
        out.append(f"> Warning: {w}")
    if report.flags:
        out += ["## New gaps, overlaps and conflicts", ""]
        out += [
            f"- **{f['flag']}**: {f['allegation']} against {f['respondent']}" for f in report.flags
        ]
        out.append("")
    out += ["## Incidents", ""]
    if report.changes:
        out += ["| Incident | What | Before | After | Because |", "|---|---|---|---|---|"]
        out += [
            f"| {r['incident']} | {r['what']} | {r['before']} | **{r['after']}** | "
            f"{', '.join(r['because'])} |"
            for r in rows(report)
        ]
    else:
        out.append("No finding or competence answer of the incidents changes.")
    out += [
        "",
        f"## Competence matrix on {report.as_of}",
        "",
        "| Allegation | Respondent | Before | After |",
        "|---|---|---|---|",
    ]
    for m in report.matrix:
        mark = "**" if m["changed"] else ""
        out.append(
            f"| {mark}{m['allegation']}{mark} | {m['respondent']} | "
            f"{_competence(m['before'])} | {mark}{_competence(m['after'])}{mark} |"
        )
    out += ["", f"_{report.header.notice}_", ""]
    return "\n".join(out)


def html(report: ImpactReport) -> str:
    env = Environment(
        loader=PackageLoader("kg.report", "templates"), autoescape=select_autoescape(["html"])
    )
    matrix = [
        {**m, "before": _competence(m["before"]), "after": _competence(m["after"])}
        for m in report.matrix
    ]
    return env.get_template("impact.html").render(
        amendments=report.amendments,
        summary=summary(report),
        as_of=report.as_of,
        law_current_to=report.header.law_current_to,
        version=report.header.version,
        notice=report.header.notice,
        warnings=report.warnings,
        flags=report.flags,
        changes=rows(report),
        matrix=matrix,
    )
