// biblio report: searchable, sortable, paginated tables from embedded JSON. No network.
(function () {
  "use strict";
  var CHIPS = JSON.parse(document.getElementById("list-meta").textContent);
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]; }); }
  function link(kind, v) {
    if (!v) return "";
    var u = null;
    if (kind === "doi" && /^10\./.test(v)) u = "https://doi.org/" + v;
    else if (kind === "openalex" && /^[WAIFG]\d+$/.test(v)) u = "https://openalex.org/" + v;
    else if (kind === "ror" && /^0[a-z0-9]{6}\d{2}$/.test(v)) u = "https://ror.org/" + v;
    return u ? '<a href="' + u + '" rel="noopener">' + esc(v) + "</a>" : esc(v);
  }
  function fmt(c, v) {
    if (v == null || v === "") return "";
    switch (c.type) {
      case "int": return Number(v).toLocaleString("en-US");
      case "usd": return "$" + Math.round(Number(v)).toLocaleString("en-US");
      case "pct": return (100 * Number(v)).toFixed(1) + "%";
      case "bool": return v ? "yes" : "";
      case "doi": case "openalex": case "ror": return link(c.type, v);
      case "chips": return String(v).split("; ").filter(Boolean).map(function (k) {
        var m = CHIPS[k] || {colour: "#666", family: ""};
        return '<span class="chip" title="' + esc(m.family === "government" ? "U.S. government list" : "assessment") + '" style="background:' + m.colour + '">' + esc(k) + "</span>";
      }).join("");
      case "title": return v[1] ? '<a href="https://doi.org/' + esc(v[1]) + '" rel="noopener">' + esc(v[0]) + "</a>" : esc(v[0]);
      default: return esc(v);
    }
  }
  // A table is drawn when it comes near the viewport or is used, so a large page opens fast.
  function Table(root) {
    var loaded = false;
    root.innerHTML = '<p class="small dt-loading">Loading table…</p>';
    root._load = function () {
      if (loaded) return;
      loaded = true;
      unpack(root.dataset.src).then(function (spec) { root.innerHTML = ""; build(root, spec); });
    };
  }
  // Tables travel gzip-compressed and base64-encoded; the browser unpacks them (no library, no network).
  function unpack(id) {
    var b64 = document.getElementById(id).textContent.trim();
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  }
  function haystack(r) { return r.map(function (x) { return Array.isArray(x) ? x.join(" ") : x; }).join(" ").toLowerCase(); }
  function build(root, spec) {
    var cols = spec.columns, rows = spec.rows, per = spec.per_page || 50, hay = null, det = null;
    rows.forEach(function (r, i) { r._i = i; });
    var state = {q: "", sort: null, desc: false, page: 0, filters: {}};
    var bar = document.createElement("div"); bar.className = "dt-bar";
    var q = document.createElement("input"); q.type = "search"; q.placeholder = "Search " + rows.length.toLocaleString("en-US") + " rows…"; q.className = "dt-search";
    bar.appendChild(q);
    (spec.filters || []).forEach(function (f) {
      var s = document.createElement("select"); s.className = "dt-filter"; s.dataset.col = f.col;
      s.innerHTML = '<option value="">' + esc(f.label) + ": all</option>" + f.values.map(function (v) { return "<option>" + esc(v) + "</option>"; }).join("");
      s.addEventListener("change", function () { state.filters[f.col] = s.value; state.page = 0; draw(); });
      bar.appendChild(s);
    });
    var info = document.createElement("span"); info.className = "small dt-info"; bar.appendChild(info);
    var pager = document.createElement("span"); pager.className = "dt-pager"; bar.appendChild(pager);
    var tw = document.createElement("div"); tw.className = "tw";
    var table = document.createElement("table");
    var thead = "<thead><tr>" + (spec.details ? "<th></th>" : "") + cols.map(function (c, j) { return '<th data-j="' + j + '" class="' + (/int|usd|pct/.test(c.type) ? "num" : "") + '" title="' + esc(c.help || "sort") + '">' + esc(c.label) + "</th>"; }).join("") + "</tr></thead>";
    table.innerHTML = thead + "<tbody></tbody>";
    tw.appendChild(table); root.appendChild(bar); root.appendChild(tw);
    var tbody = table.querySelector("tbody");
    var t = null;
    q.addEventListener("input", function () { clearTimeout(t); t = setTimeout(function () { state.q = q.value.toLowerCase().trim(); state.page = 0; draw(); }, 60); });
    table.querySelector("thead").addEventListener("click", function (e) {
      var th = e.target.closest("th"); if (!th || th.dataset.j == null) return;
      var j = +th.dataset.j; state.desc = state.sort === j ? !state.desc : /int|usd|pct/.test(cols[j].type); state.sort = j; draw();
    });
    tbody.addEventListener("click", function (e) {
      var b = e.target.closest("button.tog"); if (!b) return;
      var tr = b.closest("tr"), nx = tr.nextSibling;
      if (nx && nx.classList && nx.classList.contains("det")) { nx.remove(); b.textContent = "details"; return; }
      var r = rows[+tr.dataset.i];
      var show = function () {
        var d = document.createElement("tr"); d.className = "det";
        d.innerHTML = '<td colspan="' + (cols.length + 1) + '">' + details(spec.detail_columns, det[r[r.length - 1]]) + "</td>";
        tr.parentNode.insertBefore(d, tr.nextSibling); b.textContent = "hide";
      };
      if (det === null) unpack(root.dataset.src + "-details").then(function (x) { det = x; show(); }); else show();
    });
    function details(dc, list) {
      return "<table><tr>" + dc.map(function (c) { return "<th>" + esc(c.label) + "</th>"; }).join("") + "</tr>" + (list || []).map(function (x) {
        return "<tr>" + dc.map(function (c, j) { return "<td>" + fmt(c, x[j]) + "</td>"; }).join("") + "</tr>";
      }).join("") + "</table>";
    }
    function visible() {
      if (state.q && hay === null) hay = rows.map(haystack);
      var out = rows.filter(function (r) {
        if (state.q && hay[r._i].indexOf(state.q) < 0) return false;
        for (var k in state.filters) { var v = state.filters[k]; if (v && String(r[+k]).split("; ").indexOf(v) < 0) return false; }
        return true;
      });
      if (state.sort != null) {
        var j = state.sort, s = state.desc ? -1 : 1;
        out.sort(function (a, b) { var x = a[j], y = b[j]; if (Array.isArray(x)) { x = x[0]; y = y[0]; } if (x == null) return 1; if (y == null) return -1; return (x < y ? -1 : x > y ? 1 : 0) * s; });
      }
      return out;
    }
    function draw() {
      var vis = visible(), pages = Math.max(1, Math.ceil(vis.length / per));
      state.page = Math.min(state.page, pages - 1);
      var a = state.page * per, slice = vis.slice(a, a + per);
      tbody.innerHTML = slice.map(function (r) {
        return '<tr data-i="' + r._i + '"' + (r[spec.syn_col] ? ' class="syn"' : "") + ">" + (spec.details ? '<td><button class="tog">details</button></td>' : "") +
          cols.map(function (c, j) { return '<td class="' + (/int|usd|pct/.test(c.type) ? "num" : "") + '">' + fmt(c, r[j]) + "</td>"; }).join("") + "</tr>";
      }).join("");
      info.textContent = vis.length ? "Showing " + (a + 1).toLocaleString("en-US") + "–" + (a + slice.length).toLocaleString("en-US") + " of " + vis.length.toLocaleString("en-US") + (vis.length < rows.length ? " (filtered from " + rows.length.toLocaleString("en-US") + ")" : "") : "No matching rows";
      root.dataset.visible = vis.length;
      pager.innerHTML = pages > 1 ? '<button data-p="prev">‹ prev</button> page ' + (state.page + 1) + " of " + pages + ' <button data-p="next">next ›</button>' : "";
    }
    pager.addEventListener("click", function (e) {
      var p = e.target.dataset.p; if (!p) return;
      state.page += p === "next" ? 1 : -1; state.page = Math.max(0, state.page); draw();
    });
    draw();
  }
  var tables = document.querySelectorAll("div.dt");
  Array.prototype.forEach.call(tables, Table);
  if ("IntersectionObserver" in window) {
    var io = new IntersectionObserver(function (es) { es.forEach(function (e) { if (e.isIntersecting) { io.unobserve(e.target); e.target._load(); } }); }, {rootMargin: "400px"});
    Array.prototype.forEach.call(tables, function (t) { io.observe(t); });
  } else {
    Array.prototype.forEach.call(tables, function (t) { t._load(); });
  }
  window.biblioLoadAll = function () { Array.prototype.forEach.call(tables, function (t) { t._load(); }); };
  document.documentElement.dataset.ready = "1";
})();
