// kglink web page: annotation, SPARQL editor, entity page. No dependencies.
"use strict";

const WD = "http://www.wikidata.org/entity/";
const LOCAL = "https://w3id.org/kglink/entity/";

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function svgEl(tag, attrs, text) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// entity page path for an IRI or id
function entityHref(iriOrId) {
  if (iriOrId.startsWith(WD)) return "/entity/" + iriOrId.slice(WD.length);
  if (iriOrId.startsWith(LOCAL)) return "/entity/local:" + iriOrId.slice(LOCAL.length);
  return "/entity/" + iriOrId;
}

function idToIri(id) {
  if (/^Q[0-9]+$/.test(id)) return WD + id;
  if (id.startsWith("local:")) return LOCAL + id.slice(6);
  return id;
}

function cellText(term) {
  if (!term) return "";
  return term.value;
}

// SPARQL JSON results -> table; IRIs of entities link to their page
function fillTable(table, json) {
  table.replaceChildren();
  if (json.boolean !== undefined) {
    table.append(el("tr", {}, el("th", {}, "boolean")), el("tr", {}, el("td", {}, String(json.boolean))));
    return 1;
  }
  const vars = json.head.vars;
  table.append(el("tr", {}, ...vars.map(v => el("th", {}, v))));
  for (const b of json.results.bindings) {
    table.append(el("tr", {}, ...vars.map(v => {
      const t = b[v];
      const td = el("td", {});
      if (t && t.type === "uri" && (t.value.startsWith(WD) || t.value.startsWith(LOCAL))) {
        td.append(el("a", { href: entityHref(t.value) }, t.value));
      } else {
        td.append(cellText(t));
      }
      return td;
    })));
  }
  return json.results.bindings.length;
}

async function sparql(query) {
  const r = await fetch("/sparql", {
    method: "POST",
    headers: { "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json" },
    body: query,
  });
  if (!r.ok) throw new Error(r.status + " " + (await r.text()).trim());
  return { json: await r.json(), truncated: r.headers.get("X-Kglink-Truncated") === "true", limit: r.headers.get("X-Kglink-Row-Limit") };
}

async function saved(name, params) {
  const qs = new URLSearchParams(params).toString();
  const r = await fetch("/query/" + encodeURIComponent(name) + "?" + qs, { headers: { "Accept": "application/sparql-results+json" } });
  if (!r.ok) throw new Error(r.status + " " + (await r.text()).trim());
  return r.json();
}

// ---------- index page ----------
function renderHighlighted(target, text, entities) {
  target.replaceChildren();
  const chars = Array.from(text); // offsets count Unicode scalar values
  let pos = 0;
  for (const e of entities) {
    if (e.start < pos) continue;
    target.append(chars.slice(pos, e.start).join(""));
    const a = el("a", {
      class: "ent ent-" + e.type + (e.nil ? " nil" : ""),
      href: entityHref(e.id),
      title: `${e.label} · ${e.type} · ${e.id} · confidence ${e.confidence}`,
      "data-id": e.id,
    }, chars.slice(e.start, e.end).join(""), el("sub", {}, e.type));
    target.append(a);
    pos = e.end;
  }
  target.append(chars.slice(pos).join(""));
}

async function annotate() {
  const text = document.getElementById("text").value;
  const date = document.getElementById("date").value;
  const status = document.getElementById("annotate-status");
  status.className = "status";
  status.textContent = "annotating…";
  const t0 = performance.now();
  try {
    const r = await fetch("/annotate", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(date ? { text, date } : { text }),
    });
    if (!r.ok) throw new Error(r.status + " " + (await r.text()).trim());
    const a = await r.json();
    renderHighlighted(document.getElementById("highlighted"), text, a.entities);
    const table = document.getElementById("entities");
    table.replaceChildren(el("tr", {}, ...["text", "type", "entity", "label", "confidence"].map(h => el("th", {}, h))));
    for (const e of a.entities) {
      table.append(el("tr", {}, el("td", {}, e.text), el("td", {}, e.type),
        el("td", {}, el("a", { href: entityHref(e.id) }, e.id)), el("td", {}, e.label), el("td", {}, e.confidence)));
    }
    status.textContent = `${a.entities.length} entities in ${Math.round(performance.now() - t0)} ms`;
  } catch (err) {
    status.className = "status error";
    status.textContent = String(err.message || err);
  }
}

async function runQuery() {
  const status = document.getElementById("query-status");
  status.className = "status";
  status.textContent = "running…";
  const t0 = performance.now();
  try {
    const { json, truncated, limit } = await sparql(document.getElementById("query").value);
    const n = fillTable(document.getElementById("results"), json);
    status.textContent = `${n} row${n === 1 ? "" : "s"} in ${Math.round(performance.now() - t0)} ms` +
      (truncated ? ` — cut at the row limit (${limit})` : "");
  } catch (err) {
    status.className = "status error";
    status.textContent = String(err.message || err);
  }
}

async function initIndex() {
  document.getElementById("annotate-btn").addEventListener("click", annotate);
  document.getElementById("run-btn").addEventListener("click", runQuery);
  const select = document.getElementById("saved");
  try {
    const list = await (await fetch("/queries.json")).json();
    for (const q of list) select.append(el("option", { value: q.name, title: q.summary }, `${q.name} — ${q.summary}`));
    select.addEventListener("change", () => {
      const q = list.find(x => x.name === select.value);
      if (q) document.getElementById("query").value = q.text;
    });
  } catch (err) {
    select.append(el("option", {}, "saved queries unavailable"));
  }
}

// ---------- entity page ----------
function drawTimeline(svg, rows) {
  svg.replaceChildren();
  const W = 800, H = 200, L = 40, B = 40, T = 10;
  if (rows.length === 0) {
    svg.append(svgEl("text", { x: 20, y: 30 }, "no dated articles"));
    return;
  }
  const max = Math.max(...rows.map(r => r.n));
  const bw = Math.max(2, (W - L - 10) / rows.length);
  svg.append(svgEl("line", { class: "axis", x1: L, y1: H - B, x2: W - 5, y2: H - B }));
  svg.append(svgEl("line", { class: "axis", x1: L, y1: T, x2: L, y2: H - B }));
  svg.append(svgEl("text", { x: 4, y: T + 10 }, String(max)));
  svg.append(svgEl("text", { x: 4, y: H - B }, "0"));
  rows.forEach((r, i) => {
    const h = (H - B - T) * r.n / max;
    const x = L + i * bw;
    const bar = svgEl("rect", { class: "bar", x: x + 1, y: H - B - h, width: Math.max(1, bw - 2), height: h });
    bar.append(svgEl("title", {}, `${r.date}: ${r.n} article${r.n === 1 ? "" : "s"}`));
    svg.append(bar);
    const every = Math.ceil(rows.length / 8);
    if (i % every === 0) svg.append(svgEl("text", { x: x, y: H - B + 14 }, r.date));
  });
}

// a small force-directed layout, run for a fixed number of steps
function drawNetwork(svg, center, others) {
  svg.replaceChildren();
  const W = 800, H = 480;
  if (others.length === 0) {
    svg.append(svgEl("text", { x: 20, y: 30 }, "no co-mentions"));
    return;
  }
  const maxW = Math.max(...others.map(o => o.weight));
  // stronger ties sit closer to the center
  const rest = (n) => 90 + 120 * (1 - n.weight / maxW);
  const nodes = [{ id: center.iri, label: center.label, x: W / 2, y: H / 2, weight: maxW }]
    .concat(others.map((o, i) => {
      const a = 2 * Math.PI * i / others.length;
      const r = 90 + 120 * (1 - o.weight / maxW);
      return { id: o.iri, label: o.label, weight: o.weight, x: W / 2 + 1.5 * r * Math.cos(a), y: H / 2 + r * Math.sin(a) };
    }));
  for (let step = 0; step < 150; step++) {
    for (let i = 1; i < nodes.length; i++) {
      const n = nodes[i];
      let fx = 0, fy = 0;
      for (let j = 1; j < nodes.length; j++) {
        if (i === j) continue;
        const dx = n.x - nodes[j].x, dy = n.y - nodes[j].y;
        const d2 = Math.max(dx * dx + dy * dy, 25);
        fx += 600 * dx / d2; fy += 600 * dy / d2;
      }
      const dx = n.x - W / 2, dy = n.y - H / 2, d = Math.max(Math.hypot(dx, dy), 1);
      fx -= 0.2 * (d - rest(n)) * dx / d; fy -= 0.2 * (d - rest(n)) * dy / d;
      n.x = Math.min(W - 140, Math.max(30, n.x + Math.max(-8, Math.min(8, fx))));
      n.y = Math.min(H - 20, Math.max(20, n.y + Math.max(-8, Math.min(8, fy))));
    }
  }
  for (const n of nodes.slice(1)) {
    svg.append(svgEl("line", { class: "edge", x1: W / 2, y1: H / 2, x2: n.x, y2: n.y, "stroke-width": 1 + 5 * n.weight / maxW }));
  }
  nodes.forEach((n, i) => {
    const g = svgEl("a", { href: entityHref(n.id) });
    const c = svgEl("circle", { class: "node" + (i === 0 ? " center" : ""), cx: n.x, cy: n.y, r: i === 0 ? 12 : 5 + 7 * n.weight / maxW, "data-iri": n.id });
    c.append(svgEl("title", {}, `${n.label}${i === 0 ? "" : ": " + n.weight + " sentence(s)"}`));
    g.append(c, svgEl("text", { x: n.x + 10, y: n.y + 4 }, n.label));
    svg.append(g);
  });
}

async function initEntity() {
  const id = decodeURIComponent(location.pathname.replace(/^\/entity\//, ""));
  const iri = idToIri(id);
  document.getElementById("entity-iri").textContent = iri;
  const q = (s) => s.replaceAll("<IRI>", "<" + iri + ">");
  let label = id;
  try {
    const { json } = await sparql(q("SELECT ?l WHERE { <IRI> <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 1"));
    if (json.results.bindings.length) label = json.results.bindings[0].l.value;
    if (label === id) {
      const { json: j2 } = await sparql(q("SELECT ?l WHERE { ?m <http://www.w3.org/2005/11/its/rdf#taIdentRef> <IRI> ; <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf> ?l } LIMIT 1"));
      if (j2.results.bindings.length) label = j2.results.bindings[0].l.value;
    }
  } catch (err) { /* the IRI stays the title */ }
  document.getElementById("entity-title").textContent = `${label} (${id})`;
  document.title = `kglink · ${label}`;
  const param = iri.startsWith(WD) ? id : iri;
  const tasks = [
    saved("entity-timeline", { entity: param }).then(j => drawTimeline(document.getElementById("timeline"),
      j.results.bindings.map(b => ({ date: b.date.value.slice(0, 10), n: Number(b.articles.value) })))),
    saved("co-mention-network", { entity: param }).then(j => drawNetwork(document.getElementById("network"),
      { iri, label }, j.results.bindings.slice(0, 30).map(b => ({
        iri: b.other.value, label: b.otherLabel ? b.otherLabel.value : b.other.value.replace(/^.*\//, ""), weight: Number(b.sentences.value),
      })))),
    saved("entity-articles", { entity: param }).then(j => fillTable(document.getElementById("articles"), j)),
    sparql(q("SELECT ?name (COUNT(*) AS ?mentions) WHERE { ?m <http://www.w3.org/2005/11/its/rdf#taIdentRef> <IRI> ; <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf> ?name } GROUP BY ?name ORDER BY DESC(?mentions)"))
      .then(({ json }) => fillTable(document.getElementById("surfaces"), json)),
  ];
  const results = await Promise.allSettled(tasks);
  for (const r of results) if (r.status === "rejected") console.error(r.reason);
  document.body.setAttribute("data-loaded", "true");
}

if (document.body.dataset.page === "index") initIndex();
else if (document.body.dataset.page === "entity") initEntity();
