"""A privacy scanner for everything ``discover`` (or ``describe_clusters(...).save``) writes.

Test utility, not part of the package. :func:`scan_outputs` reads every file of an output
folder (CSV, Markdown, HTML, JSON, PNG metadata) and returns a list of findings, each one
place where the outputs show

* a client id (any cell, JSON string or text token equal to one of ``ids``);
* a count of 1 .. ``min_cell_size - 1`` (count columns such as ``n``/``size``/``clients``,
  Table 1 rows whose statistic is ``n``, "<k> clients" in prose, count keys in JSON);
* a share or rate from which such a count follows: the share's interval of rounding, times
  its denominator (the row's own count, the column's cluster size in Table 1, or one of the
  population ``totals``), holds only whole numbers from 1 to ``min_cell_size - 1`` (or
  leaves such a remainder);
* a quantile (or any statistic) of an id-like column (``id_columns``) in a table.

An empty list means nothing was found. The checks are deliberately conservative: a share
is tested against every denominator that could apply.
"""

from __future__ import annotations

import json
import math
import re
import struct
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

COUNT_COLUMNS = {"n", "size", "clients", "count", "n_clients", "members"}
# shares that are not shares of clients (cost shares, explained variance)
NOT_CLIENT_SHARES = {"share_of_total", "share of cost", "eta2", "r2_cv"}
# columns that are counts of something other than clients (resamples)
# shares whose denominator is every client profiled
SHARES_OF_ALL = {"smallest_share", "noise_share"}
_LABEL_COLUMNS = {"variable", "level", "statistic", "table", "group", "reason", "cluster",
                  "kind", ""}
NOT_CLIENT_COUNTS = {"n_assessed", "dissolved", "recovered", "n_parameters", "k"}

_PCT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*%\s*$")
_NUM = re.compile(r"^\s*(-?\d[\d,]*(?:\.\d+)?)\s*$")
_PROSE_COUNT = re.compile(r"(?<![\d.,£$€])(\d[\d,]*) (?:clients?|people|persons?|members?)\b")
_PROSE_SHARE = re.compile(r"(\d+(?:\.\d+)?)% of (?:the |its |all )?(\d[\d,]*) clients")


@dataclass(frozen=True)
class Finding:
    file: str
    where: str
    what: str

    def __str__(self):
        return f"{self.file}: {self.where}: {self.what}"


# ------------------------------------------------------------------ value parsing
def _count(cell) -> int | None:
    """A cell read as a whole count, or None."""
    m = _NUM.match(str(cell))
    if not m:
        return None
    try:
        v = float(m.group(1).replace(",", ""))
    except ValueError:
        return None
    return int(v) if v == int(v) else None


def _share(cell, column_is_share: bool):
    """(value, half-width of its rounding interval) of a share cell, or None."""
    s = str(cell).strip()
    m = _PCT.match(s)
    if m:
        txt = m.group(1)
        dec = len(txt.split(".")[1]) if "." in txt else 0
        return float(txt) / 100, 0.5 * 10 ** (-dec) / 100
    if column_is_share:
        m = _NUM.match(s)
        if m and "," not in s:
            txt = m.group(1)
            v = float(txt)
            if 0 <= v <= 1:
                dec = len(txt.split(".")[1]) if "." in txt else 0
                return v, 0.5 * 10 ** (-dec) if dec < 15 else 1e-12
    return None


def small_counts_from_share(value, half, denominator, min_cell_size):
    """Counts 1..min-1 that the share pins down (or that its complement leaves)."""
    if not denominator or denominator <= 0:
        return []
    lo = math.ceil((value - half) * denominator - 1e-9)
    hi = math.floor((value + half) * denominator + 1e-9)
    if hi < lo or hi - lo > 0:  # no whole count, or not pinned to one count
        return []
    c = lo
    out = []
    if 1 <= c < min_cell_size:
        out.append(c)
    if 1 <= denominator - c < min_cell_size:
        out.append(int(denominator - c))
    return out


def _hidden(df, i, c) -> bool:
    """A cell withheld: a marker ("suppressed (<11)"), or empty with its
    ``<column>_suppressed`` flag True (the raw CSVs)."""
    v = str(df.at[i, c])
    flag = f"{c}_suppressed"
    return "suppressed" in v or (not v.strip() and flag in df.columns
                                 and str(df.at[i, flag]).strip() == "True")


# ------------------------------------------------------------------ file readers
class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.text = [], []
        self._rows = self._row = self._cell = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        elif tag == "table":
            self._rows = []
        elif tag == "tr" and self._rows is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._rows.append(self._row)
            self._row = None
        elif tag == "table" and self._rows is not None:
            if self._rows:
                self.tables.append(_frame(self._rows))
            self._rows = None

    def handle_data(self, data):
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        else:
            self.text.append(data)


def _frame(rows):
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    head = [h if h else f"col{i}" for i, h in enumerate(rows[0])]
    return pd.DataFrame(rows[1:], columns=head, dtype=object)


def _markdown(text):
    tables, prose, block = [], [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            block.append([c.strip() for c in line.strip().strip("|").split("|")])
            continue
        if block:
            rows = [r for r in block if not all(set(c) <= set("-: ") for c in r)]
            if rows:
                tables.append(_frame(rows))
            block = []
        prose.append(line)
    return tables, "\n".join(prose)


def _png_text(data: bytes) -> list[str]:
    out, pos = [], 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"tEXt":
            out.append(body.decode("latin-1"))
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            out.append(key.decode("latin-1") + " " + zlib.decompress(rest[1:]).decode("latin-1"))
        elif kind == b"iTXt":
            out.append(body.decode("utf-8", "replace"))
        pos += 12 + length
    return out


# ------------------------------------------------------------------ the checks
class _Scan:
    def __init__(self, ids, id_columns, total, cluster_sizes, min_cell_size):
        self.ids = {str(i) for i in ids}
        # purely numeric ids are checked in id columns only (they look like any number)
        self.text_ids = {i for i in self.ids if not _NUM.match(i)}
        self.id_columns = {str(c) for c in id_columns}
        self.total = int(total) if total else None
        self.sizes = {str(k): int(v) for k, v in dict(cluster_sizes or {}).items()}
        self.totals = sorted({int(t) for t in [total, *self.sizes.values()] if t})
        self.min = min_cell_size
        self.findings: list[Finding] = []

    def add(self, file, where, what):
        self.findings.append(Finding(file, where, what))

    def text(self, file, text):
        for tok in set(re.findall(r"[A-Za-z0-9_\-]+", text)):
            if tok in self.text_ids:
                self.add(file, "text", f"client id {tok!r}")
        for m in _PROSE_COUNT.finditer(text):
            c = _count(m.group(1))
            if c is not None and 1 <= c < self.min:
                self.add(file, "text", f"count {m.group(0)!r}")
        for m in _PROSE_SHARE.finditer(text):
            v = float(m.group(1))
            dec = len(m.group(1).split(".")[1]) if "." in m.group(1) else 0
            d = _count(m.group(2))
            for c in small_counts_from_share(v / 100, 0.5 * 10 ** -dec / 100, d, self.min):
                self.add(file, "text", f"share {m.group(0)!r} gives a count of {c}")

    def table(self, file, df: pd.DataFrame, name=""):
        df = df.astype(str)
        cols = [str(c) for c in df.columns]
        low = [c.strip().lower() for c in cols]
        where = lambda i, c: f"{name}row {i}, column {c!r}"  # noqa: E731
        # ids anywhere
        for c in cols:
            for i, v in df[c].items():
                if v.strip() in self.text_ids:
                    self.add(file, where(i, c), f"client id {v!r}")
        # statistics of an id-like column
        if "variable" in low:
            var = df[cols[low.index("variable")]]
            for i, v in var.items():
                if v in self.id_columns:
                    self.add(file, f"{name}row {i}", f"statistic of the id column {v!r}")
        # count columns
        count_cols = [c for c, lc in zip(cols, low) if lc in COUNT_COLUMNS]
        for c in count_cols:
            for i, v in df[c].items():
                k = _count(v)
                if k is not None and 1 <= k < self.min:
                    self.add(file, where(i, c), f"count {k}")
        # Table 1 style: rows with statistic n hold counts; column denominators from the
        # first n row (the cluster sizes)
        col_denoms = {}
        if "statistic" in low:
            stat = df[cols[low.index("statistic")]].str.strip().str.lower()
            n_rows = stat[stat == "n"].index
            value_cols = [c for c, lc in zip(cols, low) if lc not in _LABEL_COLUMNS
                          and not lc.startswith(("col", "unnamed"))
                          and not lc.endswith("_suppressed")]
            for i in n_rows:
                for c in value_cols:
                    k = _count(df.at[i, c])
                    if k is not None and 1 <= k < self.min:
                        self.add(file, where(i, c), f"count {k}")
            # a share shown where its own count is hidden gives that count back (share x n)
            if "level" in low and "variable" in low:
                key = df[cols[low.index("variable")]] + "\0" + df[cols[low.index("level")]]
                n_at = {key[i]: i for i in stat[stat == "n"].index}
                for i in stat[stat == "share"].index:
                    j = n_at.get(key[i])
                    if j is None or j == (n_rows[0] if len(n_rows) else None):
                        continue
                    for c in value_cols:
                        if _hidden(df, j, c) and not _hidden(df, i, c) \
                                and df.at[i, c].strip():
                            self.add(file, where(i, c),
                                     f"share {df.at[i, c]} shown beside a hidden count")
            if len(n_rows):
                for c in value_cols:
                    col_denoms[c] = _count(df.at[n_rows[0], c])
        # shares
        for c, lc in zip(cols, low):
            if lc in NOT_CLIENT_SHARES or lc in NOT_CLIENT_COUNTS:
                continue
            if lc.endswith("_suppressed"):
                continue
            is_share = "share" in lc or "prop" in lc or "rate" in lc
            # raw CSVs: a row whose statistic is a share holds fractions (0.527)
            row_share = (df[cols[low.index("statistic")]].str.strip().str.lower()
                         .str.startswith("share") if "statistic" in low else None)
            for i, v in df[c].items():
                sh = _share(v, is_share or (row_share is not None and bool(row_share[i])
                                            and lc not in _LABEL_COLUMNS))
                if sh is None:
                    continue
                denoms = self._denominators(df, i, c, lc, count_cols, col_denoms)
                for d in sorted(denoms):
                    for k in small_counts_from_share(sh[0], sh[1], d, self.min):
                        self.add(file, where(i, c), f"share {v} of {d} gives a count of {k}")

    def _denominators(self, df, i, c, lc, count_cols, col_denoms):
        """The counts a share in cell (i, c) may be a share of."""
        if ("overall" in lc or lc in SHARES_OF_ALL or lc in ("population", "all")) \
                and self.total:
            return {self.total}
        if "variable" in df.columns and str(df.at[i, "variable"]).strip() == "clients" \
                and self.total:  # Table 1's cluster shares: of every client
            return {self.total}
        denoms = {d for d in (_count(df.at[i, cc]) for cc in count_cols) if d}
        if denoms:
            return denoms
        if col_denoms.get(c):
            return {col_denoms[c]}
        if c in col_denoms:  # the column's cluster size is hidden: any size may apply
            return set(self.totals)
        if "cluster" in df.columns and str(df.at[i, "cluster"]).strip() in self.sizes:
            return {self.sizes[str(df.at[i, "cluster"]).strip()]}
        return set(self.totals)

    def json(self, file, obj, path="$"):
        if isinstance(obj, dict):
            for k, v in obj.items():
                p = f"{path}.{k}"
                if str(k) in self.text_ids:
                    self.add(file, p, f"client id {k!r} as a key")
                if str(k).lower() in COUNT_COLUMNS and isinstance(v, int | float) \
                        and not isinstance(v, bool) and 1 <= v < self.min and v == int(v):
                    self.add(file, p, f"count {v}")
                self.json(file, v, p)
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                self.json(file, v, f"{path}[{i}]")
        elif isinstance(obj, str):
            if obj.strip() in self.text_ids:
                self.add(file, path, f"client id {obj!r}")
            self.text(file, obj)


def scan_outputs(directory, *, ids=(), id_columns=(), total=None, cluster_sizes=None,
                 min_cell_size=11):
    """Scan every file under ``directory``; return the list of :class:`Finding`.

    Parameters
    ----------
    directory : path
        The output folder (scanned recursively).
    ids : iterable
        The client ids of the data the outputs were made from.
    id_columns : iterable of str
        Names of id-like columns whose statistics must not be published.
    total : int
        The number of clients profiled (the denominator of population shares).
    cluster_sizes : dict, optional
        ``{cluster label: size}``: the denominators of a cluster's shares (a share in a row
        naming its cluster is tested against that size; elsewhere against every size).
    """
    scan = _Scan(ids, id_columns, total, cluster_sizes, min_cell_size)
    root = Path(directory)
    files = sorted(p for p in root.rglob("*") if p.is_file())
    if not files:
        raise FileNotFoundError(f"nothing to scan under {root}")
    for p in files:
        rel = str(p.relative_to(root))
        suffix = p.suffix.lower()
        if suffix == ".csv":
            df = pd.read_csv(p, dtype=str, keep_default_na=False)
            scan.table(rel, df)
        elif suffix == ".md":
            tables, prose = _markdown(p.read_text(encoding="utf-8"))
            for j, t in enumerate(tables):
                scan.table(rel, t, f"table {j}, ")
            scan.text(rel, prose)
        elif suffix in (".html", ".htm"):
            parser = _Tables()
            parser.feed(p.read_text(encoding="utf-8"))
            for j, t in enumerate(parser.tables):
                scan.table(rel, t, f"table {j}, ")
            scan.text(rel, " ".join(parser.text))
        elif suffix == ".json":
            scan.json(rel, json.loads(p.read_text(encoding="utf-8")))
        elif suffix == ".png":
            for t in _png_text(p.read_bytes()):
                scan.text(rel, t)
        else:
            scan.text(rel, p.read_bytes().decode("utf-8", "replace"))
    _cross_check(root, scan)
    return scan.findings


def _rebuild_table1(root: Path, scan: _Scan):
    """Table 1's withheld counts rebuilt by subtraction from its shown totals (rows, columns,
    sizes, chains of them) with the attacker of ``tests/_attack.py`` (shares are left out:
    rounded to 0.1%, they do not pin a count by themselves)."""
    import numpy as np
    from _attack import table1_attack

    path = root / "tables" / "table1.csv"
    if not path.is_file():
        return
    t = pd.read_csv(path, dtype=str, keep_default_na=False)
    if not {"variable", "level", "statistic", "overall"} <= set(t.columns):
        return
    t = t.set_index(["variable", "level", "statistic"])
    num = t.apply(lambda c: pd.to_numeric(c.str.replace(",", ""), errors="coerce"))
    num[num.index.get_level_values("statistic") == "share"] = np.nan
    for key, value in table1_attack(num, scan.min):
        scan.add("tables/table1.csv", "rebuilt by subtraction", f"{key}: {value}")


def _cross_check(root: Path, scan: _Scan):
    """A cluster's share in the distinguishing table where Table 1 hides its count; Table 1's
    withheld counts rebuilt from its totals."""
    _rebuild_table1(root, scan)
    t1, dist = root / "tables" / "table1.csv", root / "tables" / "distinguishing.csv"
    if not (t1.is_file() and dist.is_file()):
        return
    t = pd.read_csv(t1, dtype=str, keep_default_na=False)
    d = pd.read_csv(dist, dtype=str, keep_default_na=False)
    need = {"variable", "level", "statistic"}
    if not need <= set(t.columns) or not {"cluster", "cluster_value"} | need <= set(d.columns):
        return
    n = t[t["statistic"] == "n"].set_index(["variable", "level"])
    for i, row in d[d["statistic"] == "share"].iterrows():
        key, col = (row["variable"], row["level"]), str(row["cluster"])
        if key in n.index and col in n.columns:
            flag = f"{col}_suppressed"
            hidden = "suppressed" in str(n.loc[key, col]) or (
                flag in n.columns and str(n.loc[key, flag]).strip() == "True")
            shown = row["cluster_value"].strip() and "suppressed" not in row["cluster_value"]
            if hidden and shown:
                scan.add("tables/distinguishing.csv", f"row {i}",
                         f"share {row['cluster_value']} of a count Table 1 hides")
