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

// an ego network: the entity in the middle, the others around it on rings
// (stronger ties nearer), each label outside its node; labels that would
// overlap are pushed apart (with a leader line back to the node) and the
// drawing grows to hold them, so every label stays readable
function drawNetwork(svg, center, others) {
  svg.replaceChildren();
  const W = 800, H = 480, cx = W / 2, cy = H / 2;
  if (others.length === 0) {
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.append(svgEl("text", { x: 20, y: 30 }, "no co-mentions"));
    return;
  }
  const maxW = Math.max(...others.map(o => o.weight));
  const sorted = others.slice().sort((a, b) => b.weight - a.weight);
  // spread the strongest ties around the circle, not all on one side
  const n = sorted.length;
  const gcd = (a, b) => (b === 0 ? a : gcd(b, a % b));
  const stride = [7, 5, 11, 13, 3, 1].find(k => k < n && gcd(k, n) === 1) || 1;
  const angleOf = (i) => -Math.PI / 2 + 2 * Math.PI * ((i * stride) % n) / n;
  const nodes = sorted.map((o, i) => {
    const a = angleOf(i);
    const r = 110 + 90 * (1 - o.weight / maxW) + (i % 2) * 18;
    return { ...o, a, x: cx + 1.45 * r * Math.cos(a), y: cy + r * Math.sin(a), size: 5 + 7 * o.weight / maxW };
  });
  const edges = svgEl("g", {}), marks = svgEl("g", {}), labels = svgEl("g", { class: "labels" });
  svg.append(edges, marks, labels);
  for (const o of nodes) {
    edges.append(svgEl("line", { class: "edge", x1: cx, y1: cy, x2: o.x, y2: o.y, "stroke-width": 1 + 5 * o.weight / maxW }));
  }
  const centre = svgEl("a", { href: entityHref(center.iri) });
  const cc = svgEl("circle", { class: "node center", cx, cy, r: 12, "data-iri": center.iri });
  cc.append(svgEl("title", {}, center.label));
  centre.append(cc);
  marks.append(centre);
  // labels: right of nodes on the right half, left of them on the left half
  const placed = nodes.map(o => {
    const right = Math.cos(o.a) >= 0;
    const g = svgEl("a", { href: entityHref(o.iri) });
    const c = svgEl("circle", { class: "node", cx: o.x, cy: o.y, r: o.size, "data-iri": o.iri });
    c.append(svgEl("title", {}, `${o.label}: ${o.weight} sentence(s)`));
    g.append(c);
    marks.append(g);
    const t = svgEl("text", { x: o.x + (right ? o.size + 4 : -o.size - 4), y: o.y + 4, "text-anchor": right ? "start" : "end" }, o.label);
    const link = svgEl("a", { href: entityHref(o.iri) });
    link.append(t);
    labels.append(link);
    const b = t.getBBox();
    return { o, t, right, x: b.x, y: b.y, w: b.width, h: b.height, y0: b.y };
  });
  const centreLabel = svgEl("text", { x: cx, y: cy - 18, "text-anchor": "middle", class: "center-label" }, center.label);
  labels.append(centreLabel);
  const cb = centreLabel.getBBox();
  // push overlapping labels apart vertically (the centre's label and the
  // nodes' own marks stay put)
  const gap = 2;
  const fixed = [{ x: cb.x, y: cb.y, w: cb.width, h: cb.height }];
  const overlap = (p, q) => p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h + gap && q.y < p.y + p.h + gap;
  for (let round = 0; round < 400; round++) {
    let moved = false;
    for (let i = 0; i < placed.length; i++) {
      const p = placed[i];
      for (const q of placed.slice(i + 1).concat(fixed)) {
        if (!overlap(p, q)) continue;
        const push = (Math.min(p.y + p.h, q.y + q.h) - Math.max(p.y, q.y) + gap) / 2 + 0.5;
        const down = p.y + p.h / 2 >= q.y + q.h / 2;
        p.y += down ? push : -push;
        if (!fixed.includes(q)) q.y += down ? -push : push;
        moved = true;
      }
    }
    if (!moved) break;
  }
  for (const p of placed) {
    const dy = p.y - p.y0;
    if (Math.abs(dy) > 0.5) {
      p.t.setAttribute("y", Number(p.t.getAttribute("y")) + dy);
      const lx = p.right ? p.x - 2 : p.x + p.w + 2;
      labels.append(svgEl("line", { class: "leader", x1: p.o.x, y1: p.o.y, x2: lx, y2: p.y + p.h / 2 }));
    }
  }
  // grow the drawing to hold every label
  const box = svg.getBBox();
  const x0 = Math.min(0, box.x - 10), y0 = Math.min(0, box.y - 10);
  const x1 = Math.max(W, box.x + box.width + 10), y1 = Math.max(H, box.y + box.height + 10);
  svg.setAttribute("viewBox", `${x0} ${y0} ${x1 - x0} ${y1 - y0}`);
  svg.setAttribute("height", Math.round((y1 - y0) * W / (x1 - x0)));
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
