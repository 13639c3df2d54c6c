"""The printed report and the experts' round trip, in a real browser (Debian's chromium):
the report prints as one page of front matter and exactly one A4 page per cluster (the
appendix is a file of its own); a filled
narrative template is merged into its cluster's page, marked as the experts' view; a
template written for another clustering is refused. The page text comes from the schema's
labels, units and directions."""

import re
import unicodedata
import warnings

import numpy as np
import pandas as pd
import pytest
from _browser import driver, print_pdf

from clusterdiscovery import ClientSchema, describe_clusters, profile_clusters
from clusterdiscovery.describe import profile_fingerprint, read_templates, write_templates

SCHEMA = ClientSchema.from_dict({
    "id": "client_id",
    "features": {
        "age": {"type": "continuous", "label": "Age", "unit": "years", "higher_is": "neutral"},
        "mood": {"type": "ordinal", "levels": [0, 1, 2, 3, 4], "label": "Low mood",
                 "higher_is": "worse"},
        "housing": {"type": "categorical", "levels": ["settled", "homeless"],
                    "label": "Housing", "labels": {"settled": "settled accommodation"}},
    },
    "costs": ["spend"],
    "outcomes": {"score": {"baseline": "score_0", "follow_up": "score_1", "label": "Distress "
                           "score", "higher_is": "worse"}},
    "currency": "€",
})


def _data(k=4, n_per=90, seed=0):
    rng = np.random.default_rng(seed)
    lab = np.repeat(np.arange(k), n_per)
    n = lab.size
    base = rng.normal(16, 4, n)
    df = pd.DataFrame({
        "age": rng.normal(25 + 12 * lab, 5),
        "mood": np.clip(np.round(rng.normal(0.5 + 0.8 * lab, 0.6)), 0, 4).astype(int),
        "housing": np.where(rng.random(n) < 0.2 + 0.35 * (lab == 0), "homeless", "settled"),
        "spend": rng.gamma(1.0, 1000.0 * (1 + lab)),
        "score_0": base, "score_1": base + rng.normal(-4 + 1.5 * lab, 3),
    }, index=pd.Index([f"C{i:05d}" for i in range(n)], name="client_id"))
    return df, lab


@pytest.fixture(scope="module")
def profile():
    df, lab = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return profile_clusters(df, lab, schema=SCHEMA, n_bootstrap=100, random_state=0)


def test_page_text_uses_schema_meaning(profile):
    desc = describe_clusters(profile, schema=SCHEMA)
    # the page below its heading (names are suggested by _text.suggest_name)
    page = desc[3].text.split("### Details")[0].split("\n", 1)[1]
    # labels, units and directions from the schema, never the column names
    assert "Age averages" in page and "years" in page
    assert "their greatest needs are in low mood" in page
    assert "Distress score (lower is better)" in page and "€" in page
    for raw in ("score_0", "score_1", "spend", "housing '"):
        assert raw not in page
    assert not re.search(r"(?<!ow )\bmood\b", page)
    # a categorical level without a direction is described, not called a need or strength
    page0 = desc[0].text.split("### Details")[0]
    assert "housing is homeless" in page0
    assert "do better than the population on housing" not in page0


def test_each_cluster_prints_on_one_a4_page(profile, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    df, _ = _data()
    desc = describe_clusters(profile, schema=SCHEMA)
    # the experts' round trip: write templates, fill one in, merge it
    paths = write_templates(desc, tmp_path / "narratives", fingerprint=desc.fingerprint)
    assert len(paths) == 4
    t = paths[1].read_text(encoding="utf-8")
    for heading in ("## History and life stories", "## Strengths", "## Services that work",
                    "## Policy and social context", "## Who contributed"):
        assert heading in t
    assert f"model fingerprint: {desc.fingerprint}" in t
    assert read_templates(tmp_path / "narratives", desc.fingerprint) == {}  # none filled
    t = t.replace("## Strengths\n", "## Strengths\n\nMany keep in touch with family and "
                  "work part time.\n").replace(
        "## Who contributed\n", "## Who contributed\n\nTwo clients and a care coordinator.\n")
    paths[1].write_text(t, encoding="utf-8")
    merged = describe_clusters(profile, schema=SCHEMA, narratives=tmp_path / "narratives")
    assert merged[1].narrative.startswith("**Strengths.** Many keep in touch")
    assert merged[0].narrative is None
    merged.save(tmp_path / "report")
    pdf = print_pdf(tmp_path / "report" / "report.html", tmp_path / "report.pdf",
                    tmp_path / "chromium")
    # NFKC: Chromium's PDFs may set 'fi' as one ligature glyph
    pages = [unicodedata.normalize("NFKC", p.extract_text())
             for p in pypdf.PdfReader(pdf).pages]
    # the printed report is the front matter (one page) and one page per cluster, nothing
    # more: the appendix is a file of its own beside it, linked from the front matter
    front = 1
    assert len(pages) == front + len(merged), [p[:60] for p in pages]
    assert "Overview" in pages[0] and "The appendix: figures, details" in pages[0]
    assert not any("Reproducibility" in p or "Table 1:" in p for p in pages)
    assert (tmp_path / "report" / "appendix.html").is_file()
    for i, d in enumerate(merged, start=front):
        page = " ".join(pages[i].split())
        assert page.startswith(f"Cluster {d.cluster}: "), page[:80]
        others = [c for c in merged.profile.clusters if c != d.cluster]
        assert not any(f"Cluster {c}: " in page for c in others)  # that cluster alone
        assert "Key figures" in page and "are in the appendix" in page  # the page's end
    experts = " ".join(pages[2].split())
    assert "The experts' view" in experts and "Two clients and a care coordinator." in experts
    assert "From the data." in experts


def test_templates_for_another_clustering_are_refused(profile, tmp_path):
    desc = describe_clusters(profile, schema=SCHEMA)
    paths = write_templates(desc, tmp_path / "n", fingerprint=desc.fingerprint)
    paths[0].write_text(paths[0].read_text().replace("## Strengths\n", "## Strengths\n\nx\n"))
    df, lab = _data()
    other = lab.copy()
    other[:30] = 1  # another clustering of the same clients
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prof2 = profile_clusters(df, other, schema=SCHEMA, n_bootstrap=50, random_state=0)
    assert profile_fingerprint(prof2) != desc.fingerprint
    with pytest.raises(ValueError, match="written for another clustering"):
        describe_clusters(prof2, schema=SCHEMA, narratives=tmp_path / "n")
    # the same clustering profiled again has the same fingerprint
    assert profile_fingerprint(profile) == desc.fingerprint


def test_report_overview_in_a_browser(profile, tmp_path):
    desc = describe_clusters(profile, schema=SCHEMA)
    desc.save(tmp_path / "report")
    from selenium.webdriver.common.by import By

    d = driver(tmp_path / "chromium")
    try:
        d.get((tmp_path / "report" / "report.html").resolve().as_uri())
        overview = d.find_element(By.ID, "overview")
        rows = overview.find_elements(By.CSS_SELECTOR, "table tbody tr")
        assert len(rows) == len(desc) + 1  # the clusters and the population
        pages = d.find_elements(By.CSS_SELECTOR, "section.cluster-page")
        assert [p.get_attribute("id") for p in pages] == [f"cluster-{c}" for c in range(4)]
        d.save_screenshot(str(tmp_path / "report_overview.png"))
        assert (tmp_path / "report_overview.png").stat().st_size > 10_000
    finally:
        d.quit()


def test_an_absent_browser_fails_in_ci_and_skips_elsewhere(monkeypatch):
    import _browser

    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the browser tests"):
        _browser.require("/nonexistent/chromium")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        _browser.require("/nonexistent/chromium")


def test_narratives_command_writes_templates_from_a_saved_study(profile, tmp_path, capsys):
    from clusterdiscovery.cli import main

    desc = describe_clusters(profile, schema=SCHEMA)
    desc.save(tmp_path / "study")
    assert main(["narratives", str(tmp_path / "study")]) == 0
    folder = tmp_path / "study" / "narratives"
    files = sorted(folder.glob("cluster_*.md"))
    assert [f.name for f in files] == [f"cluster_{c}.md" for c in range(4)]
    text = files[2].read_text(encoding="utf-8")
    assert f"model fingerprint: {desc.fingerprint}" in text and "cluster: 2" in text
    assert "> **From the data.** This cluster holds 90 clients" in text  # the data summary
    # filled files are kept when the command runs again
    files[2].write_text(text.replace("## History and life stories\n",
                                     "## History and life stories\n\nMostly referred by GPs.\n"))
    assert main(["narratives", str(tmp_path / "study")]) == 0
    assert "4 existing file(s) kept" in capsys.readouterr().out
    merged = describe_clusters(profile, schema=SCHEMA, narratives=folder)
    assert merged[2].narrative == "**History and life stories.** Mostly referred by GPs."
    page = merged[2].text.split("### Details")[0]
    assert page.index("**From the data.**") < page.index("### The experts' view") < page.index(
        "Mostly referred by GPs.")
    assert main(["narratives", str(tmp_path / "nowhere")]) == 1


def test_a_doubled_or_unmatched_template_is_an_error_naming_the_files(profile, tmp_path):
    """issue 21: a template for a cluster that does not exist, or two templates claiming
    the same cluster, were silently ignored or overwritten."""
    desc = describe_clusters(profile, schema=SCHEMA)
    paths = write_templates(desc, tmp_path / "n", fingerprint=desc.fingerprint)
    filled = paths[0].read_text().replace("## Strengths\n", "## Strengths\n\nx\n")
    paths[0].write_text(filled)
    copy = tmp_path / "n" / "cluster_9_copy.md"
    copy.write_text(filled)
    with pytest.raises(ValueError, match=r"Two narratives claim cluster 0: .*cluster_0.*\.md "
                                         r"and .*cluster_9_copy\.md"):
        describe_clusters(profile, schema=SCHEMA, narratives=tmp_path / "n")
    copy.write_text(re.sub(r"(?m)^cluster:\s*0\s*$", "cluster: 9", filled))
    with pytest.raises(ValueError, match=r"cluster_9_copy\.md matches no cluster"):
        describe_clusters(profile, schema=SCHEMA, narratives=tmp_path / "n")
