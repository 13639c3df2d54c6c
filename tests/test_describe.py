"""describe_clusters: templated pages written from the schema's meaning (labels, units,
directions, sections, positive levels, currency), names, narratives merged from dict /
Markdown / TOML, stability, privacy (no client id in any output), determinism and the saved
report."""

import matplotlib

matplotlib.use("Agg")

import re  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from clusterdiscovery import (  # noqa: E402
    ClientSchema,
    ClusterDescriptions,
    describe_clusters,
    profile_clusters,
)
from clusterdiscovery.describe._report import blocks_to_markdown  # noqa: E402
from clusterdiscovery.describe._text import (  # noqa: E402
    Meaning,
    fmt_number,
    suggest_name,
    times_phrase,
    unique_names,
)


def _data(seed=0):
    rng = np.random.default_rng(seed)
    sizes = [80, 100, 120]
    lab = np.repeat([0, 1, 2], sizes)
    n = lab.size
    homeless_p = np.choose(lab, [0.30, 0.15, 0.12])  # no small cell: none to protect
    housing = np.where(rng.random(n) < homeless_p, "homeless",
                       rng.choice(["settled", "supported"], n, p=[0.8, 0.2]))
    honos_6 = np.clip(np.round(rng.normal(np.choose(lab, [3.0, 0.6, 0.8]), 0.7)), 0, 4)
    cost = rng.gamma(1.0, np.choose(lab, [6000.0, 1500.0, 1000.0]))
    base = rng.normal(16, 4, n)
    df = pd.DataFrame({
        "age": rng.normal(np.choose(lab, [30.0, 45.0, 60.0]), 8),
        "honos_6": honos_6.astype(int), "housing": housing, "cost": cost,
        "honos_total_baseline": base,
        "honos_total_followup": base + rng.normal(np.choose(lab, [-5.0, -1.0, 0.0]), 3),
    }, index=pd.Index([f"C{i:06d}" for i in range(n)], name="client_id"))
    return df, lab


_OUTCOME = {"baseline": "honos_total_baseline", "follow_up": "honos_total_followup",
            "label": "HoNOS total", "higher_is": "worse"}


def _schema(costs=None, **extra):
    """The meaning of _data()'s columns, as a user would declare it."""
    return ClientSchema(
        id="client_id",
        features={
            "age": {"type": "continuous", "label": "Age", "unit": "years",
                    "higher_is": "neutral", "section": "social context"},
            "honos_6": {"type": "ordinal", "levels": [0, 1, 2, 3, 4], "higher_is": "worse",
                        "label": "Hallucinations and delusions", "section": "needs"},
            "housing": {"type": "categorical", "label": "Housing", "section": "social context"},
        },
        costs=costs if costs is not None else {"cost": {"label": "Cost"}},
        outcomes={"honos_total": _OUTCOME}, currency="£", **extra)


def _profile(df, lab, schema=None, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return profile_clusters(df, lab, schema=schema if schema is not None else _schema(),
                                **{"n_bootstrap": 200, "random_state": 0, **kw})


@pytest.fixture(scope="module")
def profile():
    return _profile(*_data())


def _details(description) -> str:
    """A cluster's details (the part of its page the report puts in the appendix)."""
    return blocks_to_markdown(description.details)


class _Stability:  # duck-typed StabilityResult
    summary = pd.DataFrame({"jaccard_mean": [0.91, 0.62, 0.8],
                            "verdict": ["highly stable", "doubtful", "stable"]},
                           index=pd.Index([0, 1, 2], name="cluster"))


def test_one_description_per_cluster_with_magnitudes(profile):
    desc = describe_clusters(profile)
    assert isinstance(desc, ClusterDescriptions) and len(desc) == 3
    d0 = desc[0]
    assert [d.cluster for d in desc] == [0, 1, 2]
    assert d0.text.startswith(f"## Cluster 0: {d0.name}")
    assert "80 clients" in d0.text
    # the item under its schema label, with cluster and overall means (3 significant figures)
    mean0 = profile.table1.loc[("honos_6", "", "mean"), 0]
    mean_all = profile.table1.loc[("honos_6", "", "mean"), "overall"]
    assert 1 <= mean_all < mean0 < 10
    assert (f"Hallucinations and delusions averages **{mean0:.3g}** against "
            f"{mean_all:.3g} overall") in d0.text
    # worse when higher (schema): a main problem of cluster 0, a strength of cluster 1
    problems = d0.text.split("**Main problems**")[1].split("**")[0]
    assert "Hallucinations and delusions averages" in problems
    assert "Hallucinations and delusions averages" in \
        desc[1].text.split("**Relative strengths**")[1]
    # age has unit years and is neutral: in its section, in years, never a problem
    assert re.search(r"### Social context\n\n- Age averages \*\*\d+(\.\d)? years\*\* against "
                     r"\d+(\.\d)? years overall", _details(d0))
    # homelessness as a multiple of the population rate
    assert re.search(r"Housing 'homeless': \*\*\d+%\*\* of the cluster against \d+(\.\d)?% "
                     r"overall \((twice|three times|\d\.\d times|\d+% above) the population rate", d0.text)
    assert "Cost:" in d0.text and "BCa interval" in d0.text
    assert "Outcomes" in d0.text and "reliably improved" in d0.text
    assert "High hallucinations and delusions" in d0.name


def test_helpers():
    assert [fmt_number(v) for v in (0.2134, 0.21, 2.5, 45.27, 999.6, 12345.6, 0.0)] == \
        ["0.213", "0.21", "2.5", "45.3", "1,000", "12,346", "0"]
    assert fmt_number(0.2134, 2) == "0.21" and fmt_number(-3.21) == "-3.21"
    assert fmt_number(float("nan")) == "n/a"
    assert times_phrase(3.01) == "three times the population rate"
    assert times_phrase(2.0) == "twice the population rate"
    assert times_phrase(2.43) == "2.4 times the population rate"
    assert times_phrase(0.4) == "40% of the population rate"


def test_names_labels_and_stability(profile):
    desc = describe_clusters(profile, names={1: "Middle-aged, settled"},
                             labels={"age": "Age in years"}, stability=_Stability())
    assert desc[1].name == "Middle-aged, settled"
    assert "Age in years averages" in desc[0].text
    # keys as TOML writes them (text) name the same clusters
    assert describe_clusters(profile, names={"1": "Middle-aged, settled"})[1].name == \
        "Middle-aged, settled"
    with pytest.raises(ValueError, match="unknown cluster"):
        describe_clusters(profile, names={"one": "x"})
    with pytest.raises(TypeError, match="non-empty text"):
        describe_clusters(profile, names={0: ""})
    assert "mean Jaccard similarity 0.62" in desc[1].text and "doubtful" in desc[1].text
    with pytest.raises(ValueError, match="unknown cluster"):
        describe_clusters(profile, names={7: "x"})
    with pytest.raises(TypeError, match="ClusterProfile"):
        describe_clusters(pd.DataFrame())


def test_narratives_from_dict_markdown_and_toml(profile, tmp_path):
    name1 = describe_clusters(profile)[1].name
    md = tmp_path / "experts.md"
    md.write_text(f"# Expert views\n\n## Cluster 0\nYoung people with psychosis; EIP team.\n\n"
                  f"## {name1}\nMostly known to the CMHT.\n", encoding="utf-8")
    desc = describe_clusters(profile, narratives=md)
    assert "### The experts' view" in desc[0].text
    assert "Young people with psychosis; EIP team." in desc[0].text
    assert "Mostly known to the CMHT." in desc[1].text
    assert desc[2].narrative is None
    toml = tmp_path / "experts.toml"
    toml.write_text('[cluster.2]\ntext = "Older adults; memory services."\n', encoding="utf-8")
    assert "Older adults; memory services." in describe_clusters(profile, narratives=toml)[2].text
    assert "From the dict." in describe_clusters(profile, narratives={1: "From the dict."})[1].text
    # issue 21: a narrative that matches no cluster, or two for one cluster, is an error
    # naming where it came from (it used to be dropped with a warning nobody saw)
    with pytest.raises(ValueError, match="'Cluster nine' matches no cluster"):
        describe_clusters(profile, narratives={"Cluster nine": "?"})
    with pytest.raises(ValueError, match="Two narratives claim cluster 1"):
        describe_clusters(profile, narratives={1: "a", desc[1].name: "b"})
    twice = tmp_path / "twice.md"
    twice.write_text("## Cluster 1\nOne.\n\n## Cluster 1\nTwo.\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"twice\.md \('## Cluster 1'\) and .*twice\.md"):
        describe_clusters(profile, narratives=twice)
    with pytest.raises(FileNotFoundError):
        describe_clusters(profile, narratives=tmp_path / "missing.md")


def test_no_client_id_or_record_in_any_output(profile, tmp_path):
    df, _ = _data()
    desc = describe_clusters(profile, narratives={0: "Expert text."}, stability=_Stability())
    outputs = [desc.to_markdown(part=p) for p in ("report", "appendix")] + [
        desc.to_html(part=p) for p in ("report", "appendix")] + [
        profile._repr_html_(), desc._repr_html_()]
    for path in desc.save(tmp_path / "report"):
        if path.suffix in (".md", ".html", ".csv"):
            outputs.append(path.read_text(encoding="utf-8"))
    ids = df.index.tolist()
    for text in outputs:
        assert not any(i in text for i in ids)
        assert "client_id" not in text
    # no row-level record: an individual's exact age (to 6 digits) appears nowhere
    ages = [f"{a:.6f}" for a in df["age"].to_numpy()[:50]]
    assert not any(a in text for a in ages for text in outputs)


def test_reports_are_byte_identical_for_the_same_inputs(profile, tmp_path):
    a = describe_clusters(profile, narratives={0: "x"})
    b = describe_clusters(profile, narratives={0: "x"})
    for part in ("report", "appendix"):
        assert a.to_markdown(part=part) == b.to_markdown(part=part)
        assert a.to_html(part=part) == b.to_html(part=part)
    pa, pb = a.save(tmp_path / "a"), b.save(tmp_path / "b")
    for x, y in zip(pa, pb):
        assert x.read_bytes() == y.read_bytes(), x.name
    again = describe_clusters(_profile(*_data()), narratives={0: "x"})
    assert again.to_html() == a.to_html()
    assert again.to_html(part="appendix") == a.to_html(part="appendix")


def test_html_is_self_contained_and_save_writes_everything(profile, tmp_path):
    desc = describe_clusters(profile)
    # the printed report: front matter and the cluster pages, linking to the appendix
    report = desc.to_html()
    assert "data:image/png;base64," not in report and "Reproducibility" not in report
    assert '<a href="appendix.html">' in report
    assert report.count('<section class="cluster-page"') == len(desc)
    # the appendix: a self-contained file of its own, linking back
    html = desc.to_html(part="appendix")
    assert html.count("data:image/png;base64,") == 4  # sizes, costs, features, outcomes
    assert "src=\"http" not in html and "<script" not in html
    assert "Reproducibility" in html and "n_bootstrap: 200" in html
    assert '<a href="report.html">' in html and 'class="cluster-page"' not in html
    with pytest.raises(ValueError, match="'part' parameter"):
        desc.to_html(part="appendices")
    paths = desc.save(tmp_path / "out")
    names = {p.relative_to(tmp_path / "out").as_posix() for p in paths}
    assert {"report.md", "report.html", "appendix.md", "appendix.html",
            "clusters/cluster_0.md", "tables/costs.csv", "tables/table1.csv",
            "figures/costs.png"} <= names
    assert all(p.is_file() for p in paths)
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "](appendix.md)" in md and "![" not in md
    md = (tmp_path / "out" / "appendix.md").read_text(encoding="utf-8")
    assert "![" in md and "figures/features.png" in md and "](report.md)" in md
    # Markdown and HTML hold the same parts
    assert (tmp_path / "out" / "appendix.html").read_text(encoding="utf-8") == html
    assert "Table 1: characteristics by cluster" in md and "Table 1" not in report


def test_stability_must_be_numbered_like_the_profile(profile):
    from sklearn.cluster import KMeans

    from clusterdiscovery import assess_stability

    df, lab = _data()
    X = df[["age", "honos_6"]].to_numpy()

    def stab(reference):
        return assess_stability(KMeans(3, n_init=1, random_state=0), X, n_resamples=3,
                                random_state=0, reference_labels=reference, warn=False)

    right = stab(lab)
    desc = describe_clusters(profile, stability=right)
    j0 = right.summary.loc[0, "jaccard_mean"]
    assert f"mean Jaccard similarity {j0:.2f}" in desc[0].text
    # the same partition numbered the other way round: sizes 120/100/80 against 80/100/120
    with pytest.raises(ValueError, match=r"reference_labels=labels") as err:
        describe_clusters(profile, stability=stab(2 - lab))
    msg = str(err.value)
    assert "cluster 0: 80 clients in the profile, 120" in msg and "cluster 2" in msg
    assert "cluster 1:" not in msg  # cluster 1 has the same size either way
    # clusters numbered 1..3: named in the message
    with pytest.raises(ValueError, match=r"not in the profile: \[3\]"):
        describe_clusters(profile, stability=stab(lab + 1))


def _rows(*features):
    """Significant feature rows (strongest first) as suggest_name reads them."""
    return pd.DataFrame([
        {"variable": v, "level": lv, "kind": "numeric" if lv == "" else "categorical",
         "v_test": t, "suppressed": False} for v, lv, t in features]).itertuples()


class _Profile:  # what Meaning reads from a profile
    def __init__(self, schema, positive=None):
        self.schema = schema
        self.params = {"types": {c: s.type for c, s in schema.features.items()},
                       "positive": positive or {}}
        self.labels_map = {}


_ITEM = {"type": "ordinal", "levels": [0, 1, 2, 3, 4], "higher_is": "worse", "section": "needs"}
_NAMES_SCHEMA = ClientSchema(id="id", features={
    "q_a": {**_ITEM, "label": "Vulnerability"},
    "q_b": {**_ITEM, "label": "Hallucinations and delusions"},
    "q_c": {**_ITEM, "label": "Problems with living conditions"},
    "q_d": {**_ITEM, "label": "Problems with relationships"},
    "q_e": {**_ITEM, "label": "Cognitive problems"},
    "yrs": {"type": "continuous", "label": "Age"},
    "tenure": {"type": "categorical", "label": "Housing",
               "labels": {"own_home": "own home"}},
    "adm": {"type": "count", "label": "Prior admissions"},
    "lim": {"type": "binary", "label": "Limited daily activities", "higher_is": "worse"},
    "sex": {"type": "binary", "levels": ["female", "male"], "label": "Sex"},
})
_MEANING = Meaning(_Profile(_NAMES_SCHEMA, positive={"lim": "yes"}))


def test_names_come_from_labels_and_directions_never_from_column_names():
    m = _MEANING
    # the common-problems cluster: below average on two items, above on two others;
    # labels that already say "problems" are used as they are
    rows = _rows(("q_a", "", -8.0), ("q_b", "", -6.0), ("q_c", "", 5.0), ("q_d", "", 4.0))
    assert suggest_name(rows, m) == "Problems with living conditions, problems with relationships"
    # one higher feature: a lower one fills in
    rows = _rows(("yrs", "", -9.0), ("q_b", "", 5.0), ("q_e", "", -3.0))
    assert suggest_name(rows, m) == "High hallucinations and delusions, low age"
    # nothing higher: lower features, phrased as fewer problems
    assert suggest_name(_rows(("q_a", "", -4.0), ("q_e", "", -3.0)), m) == \
        "Low vulnerability, few cognitive problems"
    # a level that is rarer in the cluster never names it; a common one does, with its
    # feature's label and the level's label (never a bare level word)
    rows = _rows(("tenure", "homeless", -7.0), ("tenure", "own_home", 6.0), ("adm", "", 5.0))
    assert suggest_name(rows, m) == "Housing: own home, many prior admissions"
    # a binary names by its label at its positive level, and never by a level word
    rows = _rows(("lim", "yes", 9.0), ("adm", "", 5.0))
    assert suggest_name(rows, m) == "Limited daily activities, many prior admissions"
    assert suggest_name(_rows(("lim", "yes", -9.0), ("adm", "", -5.0)), m) == \
        "Few prior admissions"
    # a binary with no positive level (female/male) reads as its feature and level
    assert suggest_name(_rows(("sex", "male", 4.0)), m) == "Sex: male"
    # undeclared columns: their own names, neutral wording; no guessing from the name
    bare = Meaning(_Profile(ClientSchema(id="id", features={"honos_6": "continuous"})))
    assert suggest_name(_rows(("honos_6", "", 3.0)), bare) == "High honos_6"
    assert bare.direction(next(_rows(("honos_6", "", 3.0)))) == 0
    # user labels are used as given
    relabelled = Meaning(_Profile(_NAMES_SCHEMA), labels={"q_c": "housing"})
    assert suggest_name(_rows(("q_c", "", 3.0)), relabelled) == "High housing"


def test_directions_come_from_higher_is():
    m = _MEANING
    up, down = next(_rows(("q_b", "", 3.0))), next(_rows(("q_b", "", -3.0)))
    assert (m.direction(up), m.direction(down)) == (1, -1)  # worse when higher
    better = Meaning(_Profile(_NAMES_SCHEMA), higher_is={"q_b": "better"})
    assert (better.direction(up), better.direction(down)) == (-1, 1)
    assert m.direction(next(_rows(("yrs", "", 5.0)))) == 0  # no declared direction
    assert m.direction(next(_rows(("tenure", "own_home", 5.0)))) == 0  # a level: none
    # a binary's positive level carries its feature's direction
    assert m.direction(next(_rows(("lim", "yes", 4.0)))) == 1
    assert m.direction(next(_rows(("lim", "yes", -4.0)))) == -1


def test_names_are_unique_in_a_study():
    terms = {0: ["Many visits", "high income"], 1: ["Many visits", "low income"],
             2: ["Many visits"], 3: ["Many visits"], 4: [], 5: [],
             7: ["High income", "private insurance", "few visits", "low age"],
             8: ["High income", "private insurance", "few visits"]}
    names = unique_names(terms, {6: "Many visits, high income"}, n_terms=1)
    assert len(set(names.values())) == len(names) == 9
    assert names[6] == "Many visits, high income"  # given names are kept
    assert names[1] == "Many visits, low income"
    assert names[0] == "Many visits, high income (cluster 0)"  # grown, still name 6's
    assert names[2] == "Many visits (cluster 2)" and names[3] == "Many visits (cluster 3)"
    assert names[4] == "No distinctive features (cluster 4)"
    # a tie takes the first further term the other does not have, never more than one; a
    # cluster with none keeps its name, now unique
    names = unique_names({k: terms[k] for k in (7, 8)}, {}, n_terms=2)
    assert names == {7: "High income, private insurance, low age",
                     8: "High income, private insurance"}


def test_costs_in_the_currency_and_utilisation_in_its_unit():
    df, lab = _data()
    rng = np.random.default_rng(1)
    df = df.assign(cost_inpatient_day=np.where(lab == 0, rng.gamma(1.0, 3000.0, lab.size), 0.0),
                   cost_crisis=rng.gamma(1.0, 200.0, lab.size),
                   visits=rng.poisson(np.choose(lab, [0.2, 0.3, 0.1])).astype(float))
    costs = {"cost": {"label": "Cost"}, "cost_inpatient_day": {"label": "Inpatient cost"},
             "cost_crisis": {"label": "Crisis cost"},
             "visits": {"label": "GP visits", "unit": "visits"}}
    p = _profile(df, lab, _schema(costs=costs), n_bootstrap=100)
    desc = describe_clusters(p)
    text = desc[0].text
    assert "**Cost:** mean £" in text  # the first column keeps its paragraph
    for label, col in (("Inpatient cost", "cost_inpatient_day"), ("Crisis cost", "cost_crisis")):
        mean = p.cost_table(col)[0].loc[0, "mean"]
        line = next(x for x in text.splitlines() if x.startswith(f"- {label}: mean"))
        assert f"£{mean:,.0f} per client" in line and "population mean" in line
    # cluster 1 has no inpatient cost at all: said plainly
    assert "- Inpatient cost: mean £0 per client" in desc[1].text
    # utilisation: a mean of 0.2-ish visits reads in visits with 3 significant figures
    mean = p.cost_table("visits")[0].loc[0, "mean"]
    assert 0.1 < mean < 1
    assert f"- GP visits: mean {mean:.3g} visits per client" in text
    assert "£0." not in text and "GP visits: mean £" not in text
    # a unit after exactly one reads in the singular
    from clusterdiscovery.describe._text import Meaning
    m = Meaning(p)
    assert m.amount(1.0, "visits") == "1 visit" and m.amount(2.0, "visits") == "2 visits"
    assert "GP visits: mean per client" in desc.to_markdown()  # the overview column
    assert "- HoNOS total (lower is better): mean change" in text
    # another currency, or none
    assert "**Cost:** mean $" in describe_clusters(p, currency="$")[0].text
    assert re.search(r"\*\*Cost:\*\* mean \d", describe_clusters(p, currency="")[0].text)
    for d in desc:
        for kind, content in d.blocks:
            for item in [content] if kind == "p" else content if kind == "ul" else []:
                first = re.search(r"[A-Za-z]", item).group()
                assert first.isupper(), item


def test_a_text_binary_is_reported_at_its_positive_level_only():
    df, lab = _data()
    rng = np.random.default_rng(2)
    limited = np.where(rng.random(lab.size) < np.choose(lab, [0.7, 0.2, 0.1]), "yes", "no")
    df = df.assign(limited=limited)
    schema = _schema()
    spec = schema.to_dict()
    spec["features"]["limited"] = {"type": "binary", "label": "Limited daily activities",
                                   "higher_is": "worse", "section": "needs"}
    p = _profile(df, lab, ClientSchema.from_dict(spec))
    rows = p.distinguishing[p.distinguishing["variable"] == "limited"]
    assert set(rows["level"]) == {"yes"} and len(rows) == 3  # one row per cluster
    desc = describe_clusters(p)
    assert desc[0].name.endswith(", limited daily activities")
    for d in desc:
        assert "'yes'" not in d.text and "'no'" not in d.text
        lines = [x for x in d.text.splitlines() if "Limited daily activities:" in x]
        assert len(lines) <= 1  # never the mirrored level
    assert "- Limited daily activities: **" in \
        desc[0].text.split("**Main problems**")[1].split("**Relative")[0]
    assert "- Limited daily activities: **" in desc[2].text.split("**Relative strengths**")[1]
    # the opening paragraph names a present binary in a form that reads for any label
    assert "Recorded for 7" in desc[0].text or "Recorded for 6" in desc[0].text
    assert "limited daily activities, " in desc[0].text
    assert " is recorded for " not in desc[0].text
    # without a schema the yes/no column is recognised as a binary too
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bare = profile_clusters(df[["age", "limited"]], lab, n_bootstrap=100, random_state=0)
    assert set(bare.distinguishing.loc[bare.distinguishing["variable"] == "limited",
                                       "level"]) == {"yes"}


def test_without_a_schema_wording_is_neutral():
    df, lab = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = profile_clusters(df, lab, costs="cost", n_bootstrap=100, random_state=0,
                             outcomes={"honos_total": ("honos_total_baseline",
                                                       "honos_total_followup")})
    desc = describe_clusters(p)
    text = _details(desc[0])
    assert "Main problems" not in text and "Relative strengths" not in text
    assert "### Other distinguishing features" in text
    assert "- honos_6 averages" in text.replace("- Honos_6", "- honos_6")
    assert "£" not in desc.to_markdown()  # no currency declared: none printed
    assert "### Social context" not in text  # no section guessed from a name


def test_bad_arguments_get_clear_errors_instead_of_garbage_text(profile):
    with pytest.raises(TypeError, match="'top_n'"):
        describe_clusters(profile, top_n="2")
    with pytest.raises(TypeError, match="'worse_when_higher' parameter"):
        describe_clusters(profile, worse_when_higher=["honos_6"])
    with pytest.raises(TypeError, match="'worse_when_higher' values"):
        describe_clusters(profile, worse_when_higher={"honos_6": "yes"})
    with pytest.raises(TypeError, match="'sections' parameter"):
        describe_clusters(profile, sections=5)
    with pytest.raises(TypeError, match="'currency' parameter"):
        describe_clusters(profile, currency=5)
    with pytest.raises(ValueError, match="'significant_figures' parameter"):
        describe_clusters(profile, significant_figures=0)
    with pytest.raises(TypeError, match="narrative for 0 must be text"):
        describe_clusters(profile, narratives={0: None})

    class NoColumns:
        summary = _Stability.summary[["verdict"]]

    with pytest.raises(ValueError, match="jaccard_mean"):
        describe_clusters(profile, stability=NoColumns())

    class TextScores:
        summary = _Stability.summary.assign(jaccard_mean=["high", "low", "mid"])

    with pytest.raises(TypeError, match="jaccard_mean"):
        describe_clusters(profile, stability=TextScores())
    ok = describe_clusters(profile, worse_when_higher={"honos_6": True}, top_n=np.int64(3))
    assert len(ok) == 3 and ok.top_n == 3


def test_report_states_the_confidence_level_of_the_profile():
    p90 = _profile(*_data(), n_bootstrap=100, alpha=0.1)
    desc = describe_clusters(p90)
    md = desc.to_markdown()
    assert "95%" not in md
    assert "Cost: mean per client (90% CI)" in md and "Cost intervals are 90% bias-corrected" in md
    assert "90% BCa interval" in desc[0].text
    assert "with 90% BCa intervals" in desc.to_html(part="appendix")


def test_save_needs_a_folder(profile, tmp_path):
    desc = describe_clusters(profile)
    with pytest.raises(TypeError, match="'directory' parameter"):
        desc.save(5)
    afile = tmp_path / "report.txt"
    afile.write_text("x")
    with pytest.raises(FileExistsError, match="is a file; pass a folder"):
        desc.save(afile)


def test_pages_use_the_corrected_means_with_the_modal_beside(profile):
    """A latent class model's pages (issue 14 point 3): the cost sentence, the outcome
    sentence and the key figures use the BCH means when ``profile.corrected`` is set, with
    one plain sentence, the modal means only in the appendix's details (issue 19 point 6); a corrected cell
    of a cluster with fewer than min_cell_size modal members is withheld with its modal."""
    import copy

    costs, _ = profile.cost_table("cost")
    changes, _, _ = profile.outcome_table("honos_total")
    # corrected means made to differ from the modal ones, so that the test can tell them apart
    rows = []
    for c in profile.clusters:
        n = 5 if c == 2 else profile.table1.loc[("clients", "", "n"), c]
        cost, change = costs.loc[c, "mean"], changes.loc[c, "mean_change"]
        rows.append(("cost", c, 1.5 * cost, 1.4 * cost, 1.6 * cost, cost, n, "bch"))
        rows.append(("change in honos_total", c, change - 2.0, change - 3.0, change - 1.0,
                     change, n, "bch"))
    corrected = pd.DataFrame(rows, columns=["outcome", "cluster", "estimate", "ci_low",
                                            "ci_high", "modal", "n_modal", "method"]
                             ).set_index(["outcome", "cluster"])
    p = copy.copy(profile)
    p.corrected = corrected
    plain, desc = describe_clusters(profile), describe_clusters(p)
    for c in (0, 1):
        page = desc[c].text.split("### Details")[0]
        bch, modal = 1.5 * costs.loc[c, "mean"], costs.loc[c, "mean"]
        assert f"On average, cost per client: £{bch:,.0f}" in page
        assert f"On average, cost per client: £{modal:,.0f}" in plain[c].text
        assert "allow for uncertain membership" in page and "(BCH method)" in page
        assert "allow for uncertain membership" not in plain[c].text
        assert f"by {abs(changes.loc[c, 'mean_change'] - 2.0):.1f} points" in page
        table = desc[c].page[[k for k, _ in desc[c].page].index("table")][1]
        row = table.loc["mean cost per client (BCH, allowing for uncertain membership)"]
        assert row["this cluster"] == f"£{bch:,.0f}"
        # one figure, one estimate (issue 19 point 6): the page has the BCH mean only; the
        # appendix's details give it first, the modal beside it, and say which is which
        assert not any("most likely cluster" in k for k in table.index)
        details = blocks_to_markdown(desc[c].details)
        assert (f"mean £{bch:,.0f} per client (BCH, allowing for uncertain membership"
                in details) and f"by most likely cluster £{modal:,.0f}" in details
    # cluster 2: fewer than 11 modal members in the corrected frame -> withheld, modal too
    page = desc[2].text.split("### Details")[0]
    table = desc[2].page[[k for k, _ in desc[2].page].index("table")][1]
    assert "The mean cost per client is withheld because it rests on fewer than 11" in page
    assert "The change in HoNOS total in this cluster is withheld" in page
    assert f"£{1.5 * costs.loc[2, 'mean']:,.0f}" not in page
    assert f"£{costs.loc[2, 'mean']:,.0f}" not in page
    assert "suppressed" in table.loc["mean cost per client (BCH, allowing for uncertain "
                                     "membership)", "this cluster"]
    assert profile.corrected is None  # the fixture is untouched


def test_an_undeclared_column_is_never_read_by_its_name():
    bare = Meaning(_Profile(ClientSchema(id="id", features={"problems": "continuous",
                                                            "social_age": "continuous"})))
    # its name says "problems": a declared label would be used as it is; a bare name is not
    assert suggest_name(_rows(("problems", "", 3.0)), bare) == "High problems"
    labelled = Meaning(_Profile(ClientSchema(id="id", features={"problems": {
        "type": "continuous", "label": "Problems"}})))
    assert suggest_name(_rows(("problems", "", 3.0)), labelled) == "Problems"
    assert suggest_name(_rows(("social_age", "", 3.0)), bare) == "High social_age"
    assert bare.section("social_age") is None and bare.higher_is("problems") == "neutral"
