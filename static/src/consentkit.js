/* consentkit banner and browser guard. No dependencies. Served as written (see the README, "The banner and the browser runtime"). */
(function (w, d) {
  "use strict";
  var cfgEl = d.getElementById("consentkit-config");
  if (!cfgEl || w.consentkit) return;
  var C = JSON.parse(cfgEl.textContent), T = C.texts || {}, R = window.consentkitRules || C.rules || {},
    cats = C.categories || [], CM = C.consentMode, N = navigator,
    gpc = !!(C.gpc || N.globalPrivacyControl),
    required = ["necessary"], state, listeners = [], ran = {}, doFetch = w.fetch.bind(w),
    E = Element.prototype, setAttr = E.setAttribute,
    cookieProp = Object.getOwnPropertyDescriptor(Document.prototype, "cookie"),
    TAGS = /^(SCRIPT|IMG|IFRAME)$/, ui, bar, ov, dlg, fab, last;
  cats.forEach(function (c) { if (c.required && !has(required, c.name)) required.push(c.name); });

  function has(list, x) { return list.indexOf(x) >= 0; }
  function allows(c) { return has(required, c) || has(state.categories, c); }
  function setState(s) {
    s.categories = (s.categories || []).slice();
    if (gpc && !s.given) s.categories = s.categories.filter(function (c) { return c != "marketing"; });
    state = s;
  }
  setState(C.consent || { given: false, categories: [] });

  // -- classification (the rules the server sent) ---------------------------------------
  function trackerRule(u) {
    try { u = new URL(u, location.href); } catch (e) { return null; }
    var h = u.hostname, rules = R.trackers || [];
    for (var i = 0; i < rules.length; i++) {
      var r = rules[i];
      if ((h == r.host || h.slice(-r.host.length - 1) == "." + r.host) &&
          (!r.path || u.pathname.indexOf(r.path) == 0) && /^https?:$/.test(u.protocol)) return r;
    }
    return null;
  }
  function trackerCat(u) { var r = u && trackerRule(String(u)); return r ? r.category : null; }
  function refused(u) {
    if (cats.every(function (c) { return allows(c.name); })) return null; // nothing left to hold
    var c = trackerCat(u);
    return c && !allows(c) ? c : null;
  }
  function cookieCat(name) {
    var rules = R.cookies || [];
    for (var i = 0; i < rules.length; i++) {
      var r = rules[i], p;
      if (r.name ? name == r.name : r.prefix ? name.indexOf(r.prefix) == 0 : r.pattern &&
          (p = r.re || (r.re = safeRe(r.pattern))) && p.test(name)) return r.category;
    }
    return null;
  }
  function safeRe(p) { try { return new RegExp("^(?:" + p + ")$"); } catch (e) { return null; } }

  // -- the guard: hold back what other scripts add while its category is refused ---------
  function hold(el, url, c) {
    setAttr.call(el, "data-consentkit-src", url);
    setAttr.call(el, "data-consentkit", c);
    if (el.tagName == "SCRIPT") {
      if (el.hasAttribute("type")) setAttr.call(el, "data-consentkit-type", el.getAttribute("type"));
      setAttr.call(el, "type", "text/plain");
    }
    el.removeAttribute("src");
  }
  function scan(n) {
    if (!n || (n.nodeType != 1 && n.nodeType != 11)) return;
    var found = n.querySelectorAll ? [].slice.call(n.querySelectorAll("script[src],img[src],iframe[src]")) : [];
    if (n.nodeType == 1 && TAGS.test(n.tagName)) found.push(n);
    found.forEach(function (el) {
      var u = el.getAttribute("src"), c = refused(u);
      if (c) hold(el, u, c);
    });
  }
  [HTMLScriptElement, HTMLImageElement, HTMLIFrameElement].forEach(function (K) {
    var p = Object.getOwnPropertyDescriptor(K.prototype, "src");
    Object.defineProperty(K.prototype, "src", {
      configurable: true, get: p.get,
      set: function (v) { var c = refused(v); c ? hold(this, String(v), c) : p.set.call(this, v); }
    });
  });
  E.setAttribute = function (n, v) {
    var c = TAGS.test(this.tagName) && /^src$/i.test(n) && refused(v);
    return c ? hold(this, String(v), c) : setAttr.apply(this, arguments);
  };
  ["appendChild", "insertBefore", "replaceChild"].forEach(function (m) {
    var o = Node.prototype[m];
    Node.prototype[m] = function (n) { scan(n); return o.apply(this, arguments); };
  });
  new MutationObserver(function (records) {
    records.forEach(function (r) { [].forEach.call(r.addedNodes, scan); });
    if (ui) placeholders();
  }).observe(d.documentElement, { childList: true, subtree: true });
  Object.defineProperty(d, "cookie", {
    configurable: true,
    get: function () { return cookieProp.get.call(d); },
    set: function (v) {
      v = String(v);
      var c = cookieCat(v.split("=")[0].trim()), m = /expires=([^;]+)/i.exec(v);
      if (c && !allows(c) && !/max-age=\s*(0|-)/i.test(v) && !(m && Date.parse(m[1]) < Date.now())) return;
      cookieProp.set.call(d, v);
    }
  });
  if (N.sendBeacon) {
    var beacon = N.sendBeacon;
    N.sendBeacon = function (u) { return refused(u) ? true : beacon.apply(N, arguments); };
  }
  w.fetch = function (i) {
    return refused(i && i.url || i) ? Promise.resolve(new Response(null, { status: 204 }))
      : doFetch.apply(w, arguments);
  };
  var X = XMLHttpRequest.prototype, xOpen = X.open, xSend = X.send;
  X.open = function (m, u) { this.ckHeld = refused(u); return xOpen.apply(this, arguments); };
  X.send = function () { if (!this.ckHeld) return xSend.apply(this, arguments); };

  // -- switching on what was held back, in document order -------------------------------
  function catOf(el) { return el.getAttribute("data-consentkit") || el.getAttribute("data-category"); }
  function revive() {
    var queue = [].filter.call(
      d.querySelectorAll('[data-consentkit],script[type="text/plain"][data-category]'),
      function (el) { return allows(catOf(el)); });
    (function next() {
      while (queue.length) {
        var el = queue.shift(), c = catOf(el);
        if (el.tagName != "SCRIPT") {
          ["src", "srcset", "href", "data"].forEach(function (a) {
            var v = el.getAttribute("data-consentkit-" + a);
            if (v != null) { el.removeAttribute("data-consentkit-" + a); setAttr.call(el, a, v); }
          });
          el.removeAttribute("data-consentkit");
          if (el.ckPh) { el.ckPh.remove(); el.ckPh = null; el.classList.remove("ck-hide"); }
          continue;
        }
        if (!el.parentNode) continue;
        var s = d.createElement("script"), src = el.getAttribute("data-consentkit-src") || el.getAttribute("src");
        [].forEach.call(el.attributes, function (a) {
          if (!/^(type|src|data-consentkit(-src|-type)?|data-category)$/.test(a.name)) setAttr.call(s, a.name, a.value);
        });
        var type = el.getAttribute("data-consentkit-type");
        if (type) setAttr.call(s, "type", type);
        if (el.nonce) s.nonce = el.nonce;
        ran[c] = 1;
        if (src) {
          s.async = false;
          s.onload = s.onerror = next;
          setAttr.call(s, "src", src);
        } else s.text = el.text;
        el.parentNode.replaceChild(s, el);
        if (src) return;
      }
    })();
  }

  // -- placeholders for embeds held back --------------------------------------------------
  function t(key, vars) {
    return String(T[key] == null ? key : T[key]).replace(/\{(\w+)\}/g, function (m, k) { return vars && vars[k] != null ? vars[k] : m; });
  }
  function h(tag, attrs, kids) {
    var e = d.createElement(tag);
    for (var n in attrs) if (attrs[n] != null) setAttr.call(e, n, attrs[n]);
    (kids || []).forEach(function (k) { if (k != null) e.append(k); });
    return e;
  }
  function catTitle(name) {
    for (var i = 0; i < cats.length; i++) if (cats[i].name == name) return cats[i].title;
    return T["category_" + name + "_title"] || name;
  }
  function placeholders() {
    [].forEach.call(d.querySelectorAll("iframe[data-consentkit],embed[data-consentkit],object[data-consentkit]"), function (el) {
      var c = catOf(el);
      if (el.ckPh || allows(c)) return;
      var url = el.getAttribute("data-consentkit-src") || el.getAttribute("data-consentkit-data") || "",
        rule = trackerRule(url), host = "";
      try { host = new URL(url, location.href).hostname; } catch (e) { /* keep "" */ }
      var vars = { vendor: el.getAttribute("data-consentkit-vendor") || rule && rule.vendor || host, category: catTitle(c) },
        ph = h("div", { "class": "ck-ph", role: "group", "aria-label": t("placeholder_title", vars) }, [h("div", null, [
          h("p", { "class": "ck-h" }, [t("placeholder_title", vars)]),
          h("p", null, [t("placeholder_body", vars)]),
          h("button", { type: "button", "class": "ck-b", "data-ck-grant": c }, [t("placeholder_load", vars)])
        ])]);
      var cs = getComputedStyle(el), st = ph.style;
      st.width = (el.offsetWidth || 300) + "px";
      st.height = (el.offsetHeight || 150) + "px";
      st.margin = cs.margin;
      st.verticalAlign = cs.verticalAlign;
      st.display = cs.display == "inline" ? "inline-block" : "block";
      el.ckPh = ph;
      el.parentNode.insertBefore(ph, el);
      el.classList.add("ck-hide");
    });
  }

  // -- Google Consent Mode -------------------------------------------------------------------
  function consentMode(kind) {
    if (!CM) return;
    var o = {};
    for (var c in CM) CM[c].forEach(function (k) { o[k] = allows(c) ? "granted" : "denied"; });
    w.gtag("consent", kind, o);
  }
  if (CM) {
    w.dataLayer = w.dataLayer || [];
    if (typeof w.gtag != "function") w.gtag = function () { w.dataLayer.push(arguments); };
    // the server normally placed the default first in <head>; set it only when it did not
    if (!w.dataLayer.some(function (a) { return a[0] == "consent" && a[1] == "default"; })) consentMode("default");
  }

  // -- a choice ------------------------------------------------------------------------------
  function hostDomains() {
    var host = location.hostname, parts = host.split("."), out = [""];
    if (/^[\d.]+$|:/.test(host)) return out;
    for (var i = 0; i < parts.length - 1; i++) out.push(parts.slice(i).join("."));
    return out;
  }
  function wipe(gone) {
    cookieProp.get.call(d).split(";").forEach(function (pair) {
      var name = pair.split("=")[0].trim();
      if (name && has(gone, cookieCat(name))) hostDomains().forEach(function (dom) {
        cookieProp.set.call(d, name + "=; Max-Age=0; Path=/" + (dom ? "; Domain=" + dom : ""));
      });
    });
  }
  function stillRunning(c) {
    return ran[c] || [].some.call(d.scripts, function (s) { return s.type != "text/plain" && trackerCat(s.src) == c; });
  }
  function apply(s, initial) {
    var before = state.categories;
    setState(s);
    var gone = before.filter(function (c) { return !allows(c); }),
      added = state.categories.filter(function (c) { return !has(before, c); });
    revive();
    if (ui) placeholders();
    if (!initial || added.length || gone.length || state.given) consentMode("update");
    if (gone.length) wipe(gone);
    if (!initial || added.length || gone.length) {
      var detail = api.getConsent();
      listeners.forEach(function (fn) { try { fn(detail); } catch (e) { setTimeout(function () { throw e; }); } });
      d.dispatchEvent(new CustomEvent("consentkit:change", { bubbles: true, detail: detail }));
    }
    if (ui) render();
    if (gone.some(stillRunning)) location.reload();
  }
  function choose(list) {
    showError("");
    return doFetch(C.endpoint, {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ categories: list, lang: C.lang })
    }).then(function (r) {
      if (!r.ok) throw r;
      return r.json();
    }).then(function (s) {
      var focusInside = ui && ui.contains(d.activeElement);
      closeDialog(true);
      apply(s);
      if (focusInside && !fab.hidden) fab.focus();
      return api.getConsent();
    }, function (e) {
      showError(T.save_failed || "Your choice could not be saved. Please try again.");
      throw e;
    });
  }
  function optional() {
    return cats.filter(function (c) { return !has(required, c.name); }).map(function (c) { return c.name; });
  }

  // -- the banner -----------------------------------------------------------------------------
  function buttons(list) {
    return h("div", { "class": "ck-btns" }, list.map(function (a) {
      return h("button", { type: "button", "class": "ck-b", "data-consentkit-action": a }, [t(a.replace("-", "_"))]);
    }));
  }
  function cookieTable(list) {
    var keys = ["name", "vendor", "purpose", "lifetime"];
    if (!list || !list.length) return h("p", { "class": "ck-none" }, [t("no_cookies")]);
    return h("table", { "class": "ck-tbl" }, [
      h("thead", null, [h("tr", null, keys.map(function (k) { return h("th", { scope: "col" }, [t("cookie_" + k)]); }))]),
      h("tbody", null, list.map(function (row) {
        return h("tr", null, keys.map(function (k) { return h("td", { "data-l": t("cookie_" + k) }, [h("bdi", null, [row[k] || ""])]); }));
      }))
    ]);
  }
  function category(c, i) {
    var id = "ck-c" + i, on = has(required, c.name);
    return h("div", { "class": "ck-cat" }, [
      h("div", { "class": "ck-row" }, [
        h("label", { "for": id, "class": "ck-h" }, [c.title || t("category_" + c.name + "_title")]),
        on ? h("span", { "class": "ck-on" }, [t("always_on")]) : null,
        h("input", { type: "checkbox", role: "switch", id: id, "data-consentkit-category": c.name,
          "aria-describedby": id + "d", checked: on ? "" : null, disabled: on ? "" : null })
      ]),
      h("p", { id: id + "d" }, [c.description || t("category_" + c.name + "_description")]),
      cookieTable(c.cookies)
    ]);
  }
  function gpcNote() { return gpc ? h("p", { "class": "ck-gpc" }, [t("gpc_honoured")]) : null; }
  function errorNote() { return h("p", { "class": "ck-err", role: "status" }); }
  function build() {
    bar = h("section", { "class": "ck-bar", "aria-labelledby": "ck-t", hidden: "" }, [
      h("h2", { id: "ck-t", "class": "ck-h" }, [t("title")]),
      h("p", null, [t("description"), " ", C.privacyUrl ? h("a", { href: C.privacyUrl }, [t("privacy_link")]) : null]),
      gpcNote(), errorNote(), buttons(["accept-all", "reject-all", "customize"])
    ]);
    dlg = h("div", { "class": "ck-dlg", role: "dialog", "aria-modal": "true", "aria-labelledby": "ck-pt",
      "aria-describedby": "ck-pd", tabindex: "-1" }, [
      h("div", { "class": "ck-row" }, [
        h("h2", { id: "ck-pt", "class": "ck-h" }, [t("preferences_title")]),
        h("button", { type: "button", "class": "ck-x", "aria-label": t("close"), "data-ck-close": "" }, ["\u00d7"])
      ]),
      h("p", { id: "ck-pd" }, [t("preferences_description")]), gpcNote()
    ].concat(cats.map(category), [errorNote(), buttons(["save", "accept-all", "reject-all"])]));
    ov = h("div", { "class": "ck-ov", hidden: "" }, [dlg]);
    fab = h("button", { type: "button", "class": "ck-fab", "data-consentkit-action": "customize",
      "aria-label": t("floating_button"), title: t("floating_button"), hidden: "" });
    fab.innerHTML = '<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false"><path fill="currentColor" d="M12 2a10 10 0 1 0 10 10 4 4 0 0 1-5-5 4 4 0 0 1-5-5zm-4 9a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zm5 4a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zm-4-7a1 1 0 1 1 0 2 1 1 0 0 1 0-2z"/></svg>';
    ui = h("div", { "class": "ck", lang: C.lang, dir: C.dir || "ltr" }, [bar, ov, fab]);
    d.body.insertBefore(ui, d.body.firstChild);
    d.addEventListener("click", onClick);
    dlg.addEventListener("keydown", onKey);
    ov.addEventListener("click", function (e) { if (e.target == ov) closeDialog(); });
  }
  function render() {
    var showBar = !state.given && ov.hidden;
    bar.hidden = !showBar;
    fab.hidden = showBar || !ov.hidden || !C.floatingButton;
    d.documentElement.style.scrollPaddingBottom = showBar ? bar.offsetHeight + "px" : "";
  }
  function showError(msg) {
    if (ui) [].forEach.call(ui.querySelectorAll(".ck-err"), function (e) { e.textContent = msg; });
  }
  function openDialog() {
    if (!ui) return;
    last = d.activeElement;
    [].forEach.call(dlg.querySelectorAll("[data-consentkit-category]"), function (box) {
      box.checked = allows(box.getAttribute("data-consentkit-category"));
    });
    ov.hidden = false;
    render();
    bar.hidden = true;
    dlg.focus();
  }
  function closeDialog(quiet) {
    if (!ui || ov.hidden) return;
    ov.hidden = true;
    render();
    if (quiet) return;
    var back = last && last.isConnected && last.getClientRects().length ? last : !fab.hidden ? fab : bar.hidden ? null : bar.querySelector("button");
    if (back) back.focus();
  }
  function focusables() {
    return [].filter.call(dlg.querySelectorAll("button,input,a[href]"), function (e) { return !e.disabled; });
  }
  function onKey(e) {
    if (e.key == "Escape") { e.preventDefault(); closeDialog(); return; }
    if (e.key != "Tab") return;
    var f = focusables(), first = f[0], end = f[f.length - 1], a = d.activeElement;
    if (e.shiftKey ? a == first || a == dlg : a == end) { e.preventDefault(); (e.shiftKey ? end : first).focus(); }
  }
  function onClick(e) {
    var el = e.target.closest && e.target.closest("[data-consentkit-action],[data-ck-close],[data-ck-grant]");
    if (!el) return;
    var a = el.getAttribute("data-consentkit-action"), grant = el.getAttribute("data-ck-grant");
    e.preventDefault();
    if (el.hasAttribute("data-ck-close")) closeDialog();
    else if (grant) choose(state.categories.concat([grant])).catch(function () {});
    else if (a == "customize") openDialog();
    else if (a == "accept-all") choose(optional().filter(function (c) { return !(gpc && c == "marketing" && !state.given); })).catch(function () {});
    else if (a == "reject-all") choose([]).catch(function () {});
    else if (a == "save") choose([].filter.call(dlg.querySelectorAll("[data-consentkit-category]"), function (b) {
      return b.checked && !b.disabled;
    }).map(function (b) { return b.getAttribute("data-consentkit-category"); })).catch(function () {});
  }

  var api = w.consentkit = {
    getConsent: function () {
      var s = {};
      for (var k in state) s[k] = state[k];
      s.categories = required.concat(state.categories.filter(function (c) { return !has(required, c); }));
      return s;
    },
    allows: allows,
    show: function () { openDialog(); },
    onChange: function (fn) {
      listeners.push(fn);
      return function () { listeners = listeners.filter(function (f) { return f != fn; }); };
    },
    set: function (list) { return choose(list); }
  };

  function start() {
    build();
    revive();
    placeholders();
    if (C.cacheSafe) {
      doFetch(C.endpoint, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (s) { apply(s, true); }, render);
    } else {
      if (state.given) consentMode("update");
      render();
    }
  }
  if (d.readyState == "loading") d.addEventListener("DOMContentLoaded", start); else start();
})(window, document);
