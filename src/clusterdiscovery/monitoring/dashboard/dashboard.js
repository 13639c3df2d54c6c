// Care-cluster dashboard: filters, status mix, Pareto, funnel, trend, transitions, work list.
// Plain JavaScript, no libraries, no network: everything comes from DATA (inline).
(function () {
  "use strict";
  // the data: JSON in a non-executed script element, parsed (never evaluated as code)
  const DATA = JSON.parse(document.getElementById("dashboard-data").textContent);
  const STATUSES = ["current", "due", "expired", "missing"];
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const svgEl = (tag, attrs, text) => {
    const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const pct = (x) => (100 * x).toFixed(1) + "%";
  const typeOf = new Map();
  DATA.teams.forEach((t) => { typeOf.set(t.team, t.team_type); });
  const state = { type: "", team: "", sortKey: "appointment_date", sortDir: 1 };
  // A page for sharing beyond the team (no work list) holds protected counts by selection
  // (all teams, a team type, a team): null where a count is withheld.
  const SH = DATA.shared;
  const HIDDEN = "x";
  const show = (v) => (v === null ? HIDDEN : String(v));
  const viewKey = () => (state.team ? "team:" + state.team : state.type ? "type:" + state.type : "");

  function selectedTeams() {
    return DATA.teams.filter((t) =>
      (!state.type || t.team_type === state.type) && (!state.team || t.team === state.team)
    ).map((t) => t.team);
  }

  function fillFilters() {
    const types = Array.from(new Set(DATA.teams.map((t) => t.team_type))).sort();
    const ft = $("f-type");
    ft.innerHTML = "";
    ft.appendChild(el("option", { value: "" }, "all team types"));
    types.forEach((t) => ft.appendChild(el("option", { value: t }, t)));
    ft.value = state.type;
    fillTeams();
    ft.addEventListener("change", () => { state.type = ft.value; state.team = ""; fillTeams(); render(); });
    $("f-team").addEventListener("change", () => { state.team = $("f-team").value; render(); });
  }

  function fillTeams() {
    const f = $("f-team");
    f.innerHTML = "";
    f.appendChild(el("option", { value: "" }, "all teams"));
    DATA.teams.filter((t) => !state.type || t.team_type === state.type)
      .forEach((t) => f.appendChild(el("option", { value: t.team }, t.team)));
    f.value = state.team;
  }

  function renderStatus(teams) {
    let tot = { current: 0, due: 0, expired: 0, missing: 0 }, n;
    if (SH) {
      tot = SH.status[viewKey()];
      n = tot.n;
    } else {
      teams.forEach((t) => STATUSES.forEach((s) => { tot[s] += (DATA.status[t] || {})[s] || 0; }));
      n = STATUSES.reduce((a, s) => a + tot[s], 0);
    }
    const bar = $("status-bar");
    bar.innerHTML = "";
    STATUSES.forEach((s) => {
      if (!n || !tot[s]) return;  // (a withheld count or total draws no bar)
      const d = el("div", { class: s, title: s + ": " + tot[s] }, s + " " + pct(tot[s] / n));
      d.style.width = (100 * tot[s] / n) + "%";
      bar.appendChild(d);
    });
    const t = $("status-table");
    t.innerHTML = "";
    const head = el("tr");
    head.appendChild(el("th", { class: "l" }, "status"));
    ["clients", "share"].forEach((h) => head.appendChild(el("th", {}, h)));
    t.appendChild(head);
    STATUSES.forEach((s) => {
      const r = el("tr", { "data-status": s });
      r.appendChild(el("td", { class: "l" }, s));
      r.appendChild(el("td", {}, show(tot[s])));
      r.appendChild(el("td", {}, tot[s] === null ? HIDDEN : n ? pct(tot[s] / n) : "-"));
      t.appendChild(r);
    });
    const r = el("tr", { "data-status": "all" });
    r.appendChild(el("th", { class: "l" }, "in service"));
    r.appendChild(el("th", {}, show(n)));
    r.appendChild(el("th", {}, n ? "100.0%" : n === null ? HIDDEN : "-"));
    t.appendChild(r);
    $("f-summary").textContent = teams.length + " team(s), " + (n === null ? "a withheld number of" : n) +
      " clients in service on " + DATA.as_of;
  }

  function renderPareto(teams) {
    let rows = teams.map((t) => {
      if (SH) return { team: t, problem: SH.status["team:" + t].problem };
      const s = DATA.status[t] || {};
      return { team: t, problem: (s.expired || 0) + (s.missing || 0) };
    });
    const withheld = rows.filter((r) => r.problem === null).length;
    rows = rows.filter((r) => r.problem > 0).sort((a, b) => b.problem - a.problem || (a.team < b.team ? -1 : 1));
    const box = $("pareto");
    box.innerHTML = "";
    if (!rows.length) {
      box.appendChild(el("p", { class: "note" }, withheld ? "The counts of the selected teams are withheld." : "No expired or missing clusters."));
      return;
    }
    const total = rows.reduce((a, r) => a + r.problem, 0);
    const W = 520, H = 260, L = 45, B = 70, T = 10, R = 40;
    const w = Math.min((W - L - R) / rows.length, 60), max = rows[0].problem;
    const svg = svgEl("svg", { width: W, height: H, role: "img", "aria-label": "Pareto of teams" });
    let cum = 0, path = "";
    rows.forEach((r, i) => {
      const h = (H - T - B) * r.problem / max, x = L + i * w;
      svg.appendChild(svgEl("rect", { x: x + 2, y: H - B - h, width: Math.max(w - 4, 1), height: h, fill: "#c0392b", "data-team": r.team }));
      svg.appendChild(svgEl("text", { x: x + w / 2, y: H - B + 12, transform: "rotate(45 " + (x + w / 2) + " " + (H - B + 12) + ")" }, r.team));
      cum += r.problem;
      const y = T + (H - T - B) * (1 - cum / total);
      path += (i ? "L" : "M") + (x + w / 2) + " " + y;
    });
    svg.appendChild(svgEl("path", { d: path, stroke: "#333", fill: "none", "stroke-width": 1.5 }));
    svg.appendChild(svgEl("text", { x: 2, y: T + 10 }, String(max)));
    svg.appendChild(svgEl("text", { x: W - R + 4, y: T + 10 }, "100%"));
    svg.appendChild(svgEl("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: "#999" }));
    box.appendChild(svg);
    box.appendChild(el("p", { class: "note" }, "Bars: expired + missing clusters by team (" + total + " in all" +
      (SH ? " of the teams shown" : "") + "); line: cumulative share." +
      (withheld ? " " + withheld + " team(s) left out: their count is withheld." : "")));
  }

  // Funnel plot (Spiegelhalter 2005): each team's share of expired + missing clusters
  // against its clients in service, with the all-teams share as the target and 95% and
  // 99.8% limits p0 +/- z sqrt(p0 (1 - p0) / n). Drawn from the same (protected) counts
  // as the status table; a team whose count is withheld is left out.
  function renderFunnel(teams) {
    const count = (t) => {
      if (SH) { const s = SH.status["team:" + t]; return { n: s.n, problem: s.problem }; }
      const s = DATA.status[t] || {};
      return { n: STATUSES.reduce((a, k) => a + (s[k] || 0), 0),
               problem: (s.expired || 0) + (s.missing || 0) };
    };
    let n0 = 0, p0 = 0;
    if (SH && SH.status[""].n !== null && SH.status[""].problem !== null) {
      n0 = SH.status[""].n; p0 = SH.status[""].problem / n0;
    } else {
      const all = DATA.teams.map((t) => count(t.team)).filter((c) => c.n && c.problem !== null);
      n0 = all.reduce((a, c) => a + c.n, 0);
      p0 = n0 ? all.reduce((a, c) => a + c.problem, 0) / n0 : 0;
    }
    const rows = teams.map((t) => Object.assign({ team: t }, count(t)))
      .filter((r) => r.n && r.problem !== null && r.n !== null);
    const box = $("funnel");
    box.innerHTML = "";
    if (!rows.length || !n0) {
      box.appendChild(el("p", { class: "note" }, "No team with counts to show."));
      return;
    }
    const W = 520, H = 260, L = 45, B = 30, T = 10, R = 20;
    const nmax = Math.max.apply(null, rows.map((r) => r.n)) * 1.1;
    const nmin = Math.min.apply(null, rows.map((r) => r.n));
    const highest = Math.max(p0 + 3.09 * Math.sqrt(p0 * (1 - p0) / nmin),
      Math.max.apply(null, rows.map((r) => r.problem / r.n)));
    const top = Number.isFinite(highest) ? Math.min(1, Math.max(0.05, 1.1 * highest)) : 1;
    const x = (n) => L + (W - L - R) * n / nmax;
    const y = (p) => T + (H - T - B) * (1 - Math.min(p, top) / top);
    const svg = svgEl("svg", { width: W, height: H, role: "img", "aria-label": "Funnel plot of teams" });
    const lim = (z, sign) => {
      let d = "";
      for (let i = 0; i <= 60; i++) {
        const n = nmin * 0.8 + (nmax - nmin * 0.8) * i / 60;
        const p = Math.min(Math.max(p0 + sign * z * Math.sqrt(p0 * (1 - p0) / n), 0), 1);
        d += (d ? "L" : "M") + x(n) + " " + y(p);
      }
      return d;
    };
    [[1.96, "4 3"], [3.09, "1 3"]].forEach(([z, dash]) => [1, -1].forEach((sg) =>
      svg.appendChild(svgEl("path", { d: lim(z, sg), stroke: "#777", fill: "none", "stroke-dasharray": dash }))));
    svg.appendChild(svgEl("line", { x1: L, x2: W - R, y1: y(p0), y2: y(p0), stroke: "#333" }));
    let outside = [];
    rows.forEach((r) => {
      const p = r.problem / r.n, se = Math.sqrt(p0 * (1 - p0) / r.n);
      const z = se > 0 ? (p - p0) / se : 0;
      const flag = Math.abs(z) > 3.09 ? "99.8" : Math.abs(z) > 1.96 ? "95" : "";
      svg.appendChild(svgEl("circle", { cx: x(r.n), cy: y(p), r: 4, fill: flag ? "#c0392b" : "#2c7fb8",
        "data-team": r.team, "data-flag": flag }));
      if (flag) {
        outside.push(r.team + (z > 0 ? " (above " : " (below ") + flag + "%)");
        svg.appendChild(svgEl("text", { x: x(r.n) + 5, y: y(p) - 5 }, r.team));
      }
    });
    svg.appendChild(svgEl("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: "#999" }));
    svg.appendChild(svgEl("text", { x: 2, y: y(p0) + 4 }, pct(p0)));
    svg.appendChild(svgEl("text", { x: 2, y: T + 10 }, pct(top)));
    svg.appendChild(svgEl("text", { x: W - R - 120, y: H - 8 }, "clients in service"));
    box.appendChild(svg);
    box.appendChild(el("p", { class: "note" }, "Share of clients in service with an expired or missing " +
      "cluster, by team, against the share over all teams (" + pct(p0) + "); dashed lines 95%, dotted 99.8% " +
      "control limits (Spiegelhalter 2005). " + (outside.length ? "Outside the limits: " + outside.join(", ") + "."
        : "No team outside the 95% limits.")));
  }

  function renderTrend(teams) {
    const set = new Set(teams);
    const by = {};
    if (SH) SH.trend[viewKey()].forEach((r) => { by[r.month] = { n: r.n, expired: r.expired, missing: r.missing }; });
    else DATA.trend.forEach((r) => {
      if (!set.has(r.team)) return;
      const m = by[r.month] || (by[r.month] = { n: 0, expired: 0, missing: 0 });
      m.n += r.n_in_service; m.expired += r.n_expired; m.missing += r.n_missing;
    });
    const months = Object.keys(by).sort();
    const box = $("trend");
    box.innerHTML = "";
    if (!months.length) { box.appendChild(el("p", { class: "note" }, "No months to show.")); return; }
    const W = 520, H = 260, L = 45, B = 40, T = 10, R = 10;
    // a withheld count (null) leaves a gap in its line
    const share = (k, m) => (by[m][k] === null || by[m].n === null ? null : by[m].n ? by[m][k] / by[m].n : 0);
    const pts = months.map((m) => ({ m: m, e: share("expired", m), s: share("missing", m) }));
    const max = Math.max(0.05, ...pts.map((p) => Math.max(p.e || 0, p.s || 0)));
    const x = (i) => L + (months.length > 1 ? i * (W - L - R) / (months.length - 1) : 0);
    const y = (v) => T + (H - T - B) * (1 - v / max);
    const svg = svgEl("svg", { width: W, height: H, role: "img", "aria-label": "Monthly trend" });
    [["e", "#c0392b", "expired"], ["s", "#6c3483", "missing"]].forEach(([k, col, name], j) => {
      let d = "", gap = true;
      pts.forEach((p, i) => {
        if (p[k] === null) { gap = true; return; }
        d += (gap ? "M" : "L") + x(i) + " " + y(p[k]);
        gap = false;
      });
      svg.appendChild(svgEl("path", { d: d, stroke: col, fill: "none", "stroke-width": 2, "data-series": name }));
      svg.appendChild(svgEl("text", { x: L + 10 + 90 * j, y: T + 12, style: "fill:" + col + ";font-weight:bold" }, name));
    });
    svg.appendChild(svgEl("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: "#999" }));
    svg.appendChild(svgEl("text", { x: 2, y: y(max) + 4 }, pct(max)));
    svg.appendChild(svgEl("text", { x: 2, y: H - B }, "0%"));
    const step = Math.max(1, Math.ceil(months.length / 6));
    months.forEach((m, i) => { if (i % step === 0) svg.appendChild(svgEl("text", { x: x(i) - 18, y: H - B + 16 }, m)); });
    box.appendChild(svg);
    box.appendChild(el("p", { class: "note" }, "Share of clients in service at each month end."));
  }

  function renderTransitions(teams) {
    const set = new Set(teams);
    const cells = {}, froms = new Set(), tos = new Set();
    if (SH) SH.transitions[viewKey()].forEach((r) => {
      cells[r.from + "|" + r.to] = r.n;
      froms.add(r.from); tos.add(r.to);
    });
    else DATA.transitions.forEach((r) => {
      if (!set.has(r.team)) return;
      const k = r.from + "|" + r.to;
      cells[k] = (cells[k] || 0) + r.n;
      froms.add(r.from); tos.add(r.to);
    });
    const box = $("transitions");
    box.innerHTML = "";
    const f = Array.from(froms).sort((a, b) => a - b), t = Array.from(tos).sort((a, b) => a - b);
    if (!f.length) { box.appendChild(el("p", { class: "note" }, "No re-clusterings.")); return; }
    const max = Math.max(1, ...Object.values(cells).filter((v) => v !== null));
    const table = el("table", { id: "transition-matrix" });
    const head = el("tr");
    head.appendChild(el("th", {}, "from \\ to"));
    t.forEach((c) => head.appendChild(el("th", {}, String(c))));
    table.appendChild(head);
    f.forEach((a) => {
      const row = el("tr");
      row.appendChild(el("th", {}, String(a)));
      t.forEach((b) => {
        const v = cells[a + "|" + b] === null ? null : cells[a + "|" + b] || 0;
        const td = el("td", {}, v === null ? HIDDEN : v ? String(v) : "");
        if (v) {
          const s = v / max;
          td.style.background = "rgba(76,114,176," + (0.1 + 0.8 * s).toFixed(2) + ")";
          if (s > 0.5) td.style.color = "#fff";
        }
        row.appendChild(td);
      });
      table.appendChild(row);
    });
    box.appendChild(table);
  }

  function worklistRows(teams) {
    const set = new Set(teams);
    const rows = (DATA.work_list || []).filter((r) => set.has(r.team));
    const k = state.sortKey, d = state.sortDir;
    return rows.slice().sort((a, b) => (a[k] < b[k] ? -d : a[k] > b[k] ? d : 0));
  }

  function renderWorklist(teams) {
    if (!DATA.work_list) return;
    const rows = worklistRows(teams);
    const t = $("worklist");
    t.innerHTML = "";
    const head = el("tr");
    DATA.work_list_columns.forEach((c) => {
      const th = el("th", { class: "l", "data-key": c }, c.replace(/_/g, " "));
      if (c === state.sortKey) th.className += state.sortDir > 0 ? " sorted-asc" : " sorted-desc";
      th.addEventListener("click", () => {
        state.sortDir = state.sortKey === c ? -state.sortDir : 1;
        state.sortKey = c;
        render();
      });
      head.appendChild(th);
    });
    t.appendChild(head);
    rows.forEach((r) => {
      const tr = el("tr");
      DATA.work_list_columns.forEach((c) => tr.appendChild(el("td", { class: "l" }, r[c] === null ? "" : String(r[c]))));
      t.appendChild(tr);
    });
    $("worklist-count").textContent = rows.length + " client(s)";
  }

  function csv(rows, cols) {
    const q = (v) => {
      const s = v === null || v === undefined ? "" : String(v);
      return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    };
    return [cols.join(",")].concat(rows.map((r) => cols.map((c) => q(r[c])).join(","))).join("\n") + "\n";
  }

  function exportCsv() {
    const text = csv(worklistRows(selectedTeams()), DATA.work_list_columns);
    const a = el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv" })), download: "work_list.csv" });
    document.body.appendChild(a);
    a.click();
    a.remove();
  }
  window.dashboardCsv = () => csv(worklistRows(selectedTeams()), DATA.work_list_columns);

  function render() {
    const teams = selectedTeams();
    renderStatus(teams);
    renderPareto(teams);
    renderFunnel(teams);
    renderTrend(teams);
    renderTransitions(teams);
    renderWorklist(teams);
  }

  $("subtitle").textContent = "Care-cluster review status on " + DATA.as_of + ". Aggregates by team" +
    (DATA.work_list ? " and the work list (client identifiers: for the team only)." : "; no client-level data.") +
    (SH ? " For sharing beyond the team: counts below " + SH.min_cell_size + " are withheld (shown as " +
      HIDDEN + ", left out of the charts), and so are other counts from which a withheld one could be " +
      "worked out (totals, other teams of the same type, other types)." : "");
  if (!DATA.work_list) $("worklist-section").remove();
  else $("export").addEventListener("click", exportCsv);
  fillFilters();
  render();
})();
