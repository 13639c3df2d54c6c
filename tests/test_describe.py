"""describe_clusters: templated pages, names, HoNOS item names, narratives merged from
dict / Markdown / TOML, stability, privacy (no client id in any output), determinism and
the saved report."""

import matplotlib

matplotlib.use("Agg")

import re  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from clusterdiscovery import ClusterDescriptions, describe_clusters, profile_clusters  # noqa: E402
from clusterdiscovery.describe._text import (  # noqa: E402
    suggest_name,
    times_phrase,
    variable_label,
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


@pytest.fixture(scope="module")
def profile():
    df, lab = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return profile_clusters(
            df, lab, costs="cost",
            outcomes={"honos_total": ("honos_total_baseline", "honos_total_followup")},
            n_bootstrap=200, random_state=0)


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
    # HoNOS item 6 in plain words with cluster and overall means
    mean0 = profile.table1.loc[("honos_6", "", "mean"), 0]
    mean_all = profile.table1.loc[("honos_6", "", "mean"), "overall"]
    assert (f"HoNOS item 'hallucinations and delusions' averages **{mean0:.1f}** against "
            f"{mean_all:.1f} overall") in d0.text
    # homelessness as a multiple of the population rate
    assert re.search(r"Housing 'homeless': \*\*\d+%\*\* of the cluster against \d+(\.\d)?% "
                     r"overall \((twice|three times|\d\.\d times|\d+% above) the population rate", d0.text)
    assert "Cost:" in d0.text and "BCa interval" in d0.text
    assert "Outcomes" in d0.text and "reliably improved" in d0.text
    assert "High hallucinations and delusions" in d0.name


def test_helpers():
    assert variable_label("honos_6") == "HoNOS item 'hallucinations and delusions'"
    assert variable_label("honos_12") == "HoNOS item 'problems with occupation and activities'"
    assert variable_label("honos_11") == "HoNOS item 'problems with living conditions'"
    assert variable_label("x", {"x": "Something"}) == "Something"
    assert times_phrase(3.01) == "three times the population rate"
    assert times_phrase(2.0) == "twice the population rate"
    assert times_phrase(2.43) == "2.4 times the population rate"
    assert times_phrase(0.4) == "40% of the population rate"


def test_names_labels_and_stability(profile):
    desc = describe_clusters(profile, names={1: "Middle-aged, settled"},
                             labels={"age": "Age in years"}, stability=_Stability())
    assert desc[1].name == "Middle-aged, settled"
    assert "Age in years averages" in desc[0].text
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
    with pytest.warns(UserWarning, match="matches no cluster"):
        describe_clusters(profile, narratives={"Cluster nine": "?"})
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
    df, lab = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = profile_clusters(
            df, lab, costs="cost",
            outcomes={"honos_total": ("honos_total_baseline", "honos_total_followup")},
            n_bootstrap=200, random_state=0)
    again = describe_clusters(again, narratives={0: "x"})
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


def test_names_prefer_higher_features_and_name_problems_as_problems():
    # the common-problems cluster: below average on two items, above on two others
    rows = _rows(("sarn_vulnerability", "", -8.0), ("honos_6", "", -6.0),
                 ("honos_11", "", 5.0), ("honos_9", "", 4.0))
    assert suggest_name(rows) == "Problems with living conditions, problems with relationships"
    # one higher feature: a lower one fills in
    rows = _rows(("age", "", -9.0), ("honos_6", "", 5.0), ("sarn_self_neglect", "", -3.0))
    assert suggest_name(rows) == "High hallucinations and delusions, younger"
    # nothing higher: lower features, phrased as fewer problems
    assert suggest_name(_rows(("sarn_vulnerability", "", -4.0), ("honos_4", "", -3.0))) == \
        "Low vulnerability, few cognitive problems"
    # a level that is rarer in the cluster never names it; a common one does
    rows = _rows(("housing", "homeless", -7.0), ("housing", "settled", 6.0),
                 ("prior_admissions", "", 5.0))
    assert suggest_name(rows, types={"prior_admissions": "count"}) == \
        "Settled, many prior admissions"
    # user labels are used as given
    assert suggest_name(_rows(("honos_11", "", 3.0)), labels={"honos_11": "housing"}) == \
        "High housing"


def test_every_cost_column_gets_a_line_and_sentences_start_with_a_capital():
    df, lab = _data()
    rng = np.random.default_rng(1)
    df = df.assign(cost_inpatient_day=np.where(lab == 0, rng.gamma(1.0, 3000.0, lab.size), 0.0),
                   cost_crisis=rng.gamma(1.0, 200.0, lab.size))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = profile_clusters(
            df, lab, costs=["cost", "cost_inpatient_day", "cost_crisis"],
            outcomes={"honos_total": ("honos_total_baseline", "honos_total_followup")},
            n_bootstrap=100, random_state=0)
    desc = describe_clusters(p)
    text = desc[0].text
    assert "**Cost:** mean £" in text  # the first column keeps its paragraph
    for label, col in (("Inpatient day", "cost_inpatient_day"), ("Crisis", "cost_crisis")):
        mean = p.cost_table(col)[0].loc[0, "mean"]
        line = next(x for x in text.splitlines() if x.startswith(f"- {label}: mean"))
        assert f"£{mean:,.0f} per client" in line and "population mean" in line
    # cluster 1 has no inpatient cost at all: said plainly
    assert "- Inpatient day: mean £0 per client" in desc[1].text
    assert "- HoNOS total (lower is better): mean change" in text
    for d in desc:
        for kind, content in d.blocks:
            for item in [content] if kind == "p" else content if kind == "ul" else []:
                first = re.search(r"[A-Za-z]", item).group()
                assert first.isupper(), item


def test_bad_arguments_get_clear_errors_instead_of_garbage_text(profile):
    with pytest.raises(TypeError, match="'top_n'"):
        describe_clusters(profile, top_n="2")
    with pytest.raises(TypeError, match="'worse_when_higher' parameter"):
        describe_clusters(profile, worse_when_higher=["honos_6"])
    with pytest.raises(TypeError, match="'worse_when_higher' values"):
        describe_clusters(profile, worse_when_higher={"honos_6": "yes"})
    with pytest.raises(TypeError, match="'sections' parameter"):
        describe_clusters(profile, sections=5)
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
    df, lab = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p90 = profile_clusters(df, lab, costs="cost", n_bootstrap=100, random_state=0,
                               alpha=0.1)
    desc = describe_clusters(p90)
    md = desc.to_markdown()
    assert "95%" not in md
    assert "mean cost (90% CI)" in md and "Cost intervals are 90% bias-corrected" in md
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
    sentence and the key figures use the BCH means when ``profile.corrected`` is set, the
    modal means beside them in the key figures, with one plain sentence; a corrected cell
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
        assert f"On average each client's cost is £{bch:,.0f}" in page
        assert f"On average each client's cost is £{modal:,.0f}" in plain[c].text
        assert "allow for uncertain membership" in page and "(BCH method)" in page
        assert "allow for uncertain membership" not in plain[c].text
        assert f"by {abs(changes.loc[c, 'mean_change'] - 2.0):.1f} points" in page
        table = desc[c].page[[k for k, _ in desc[c].page].index("table")][1]
        row = table.loc["mean cost per client (BCH, allowing for uncertain membership)"]
        assert row["this cluster"] == f"£{bch:,.0f}"
        assert table.loc["mean cost per client (by most likely cluster)",
                         "this cluster"] == f"£{modal:,.0f}"
        assert table.loc["change in honos total (by most likely cluster)", "this cluster"] \
            == f"{changes.loc[c, 'mean_change']:+.1f}"
    # cluster 2: fewer than 11 modal members in the corrected frame -> withheld, modal too
    page = desc[2].text.split("### Details")[0]
    table = desc[2].page[[k for k, _ in desc[2].page].index("table")][1]
    assert "The mean cost per client is withheld because it rests on fewer than 11" in page
    assert "The change in honos total in this cluster is withheld" in page
    assert f"£{1.5 * costs.loc[2, 'mean']:,.0f}" not in page
    assert f"£{costs.loc[2, 'mean']:,.0f}" not in page
    assert "suppressed" in table.loc["mean cost per client (by most likely cluster)",
                                     "this cluster"]
    assert profile.corrected is None  # the fixture is untouched
