/* changetrail: Pagefind search in Material's header.
 *
 * The header has a button (.ct-search__button; data-root is the way from this page to the
 * site's root). Using it, or "/", "s", "f" outside a text field, or Ctrl-K / Cmd-K, opens a
 * dialog. The first time, the dialog loads Pagefind's search module (<root>pagefind/pagefind.js),
 * which then loads only the parts of the index a query needs. Filters (kind, status, owner, area,
 * stack, difficulty, tags) load when the reader opens them, so a plain query does not pay for
 * them; from then on every value shows how many results it has. Results can be sorted by date.
 * A large site's index comes in shards, merged here (see load()); counts add up across them.
 * Text from the index is only ever put in the page as text; excerpts keep Pagefind's <mark>.
 */
(function () {
  "use strict";

  var ORDER = ["kind", "status", "owner", "area", "stack", "difficulty", "tags"];
  var PAGE = 10;
  var dialog = null;
  var pagefind = null;
  var loading = null;
  var state = { term: "", sort: "", selected: {}, shown: PAGE, filters: null, run: 0, shards: 1 };
  var timer = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function root() {
    var button = document.querySelector(".ct-search__button");
    return new URL((button && button.getAttribute("data-root")) || "./", document.baseURI);
  }

  /* A large site's index is in shards: pagefind/ and pagefind/shard-<i>/, listed in
   * pagefind/changetrail-shards.json. Each further shard is merged into the first (it reuses the
   * first one's WebAssembly and loads only its own index files), with a weight of 1 + i * EPS:
   * too small to change which result ranks first (a relative 1e-6), it tells the shards'
   * results apart when they are sorted by date (see sorted()). */
  var EPS = 1e-6;

  function load() {
    if (!loading) {
      var base = root();
      var index = new URL("pagefind/", base);
      var manifest = fetch(new URL("changetrail-shards.json", index).href)
        .then(function (response) {
          return response.ok ? response.json() : {};
        })
        .catch(function () {
          return {};
        });
      loading = Promise.all([import(new URL("pagefind.js", index).href), manifest]).then(
        function (both) {
          var options = { baseUrl: base.pathname, excerptLength: 24 };
          var others = Array.isArray(both[1].shards) ? both[1].shards : [];
          pagefind = both[0];
          state.shards = others.length + 1;
          return pagefind.options(options).then(function () {
            return Promise.all(
              others.map(function (path, i) {
                var merged = { baseUrl: options.baseUrl, excerptLength: 24, indexWeight: 1 + (i + 1) * EPS };
                return pagefind.mergeIndex(new URL(path, index).pathname, merged);
              })
            );
          });
        }
      );
      loading.catch(function () {
        loading = null;
      });
    }
    return loading;
  }

  /* Sorted by date, each shard ranks its own results by their place in its own date order, and
   * Pagefind merges the shards by that rank, which is not the date. Each shard's results are
   * still in the right order, so this merges them again by their dates: to show n results it
   * loads the data of n results and of one more per shard, never of them all. A result's score
   * is its rank times its shard's weight, so the rank (the rounded score) and the weight give
   * the shard (exact while rank * shards * EPS < 0.5: 2,500 pages a shard, up to 200 shards);
   * a rank of 0 hides the weight, so such a result (one per shard at most) is a list of its
   * own, which is just as right. */
  function sorted(results, direction) {
    var lists = {};
    var order = [];
    results.forEach(function (result, n) {
      var score = Math.abs(result.score);
      var rank = Math.round(score);
      var key = rank ? "s" + Math.round((score / rank - 1) / EPS) : "z" + n;
      if (!lists[key]) order.push((lists[key] = []));
      lists[key].push(result);
    });
    var out = [];
    var queue = Promise.resolve(out);

    function data(result) {
      if (!result.loaded) result.loaded = result.data();
      return result.loaded;
    }

    function later(a, b) {
      var x = (a.meta && a.meta.date) || "";
      var y = (b.meta && b.meta.date) || "";
      if (!x || !y) return !!y; // a page without a date goes last
      return direction === "asc" ? x < y : x > y;
    }

    function next() {
      var live = order.filter(function (list) {
        return list.length;
      });
      if (!live.length) return Promise.resolve(false);
      return Promise.all(
        live.map(function (list) {
          return data(list[0]);
        })
      ).then(function (heads) {
        var best = 0;
        for (var i = 1; i < heads.length; i++) if (later(heads[i], heads[best])) best = i;
        out.push(live[best].shift());
        return true;
      });
    }

    return function take(n) {
      queue = queue.then(function fill() {
        if (out.length >= n) return out;
        return next().then(function (more) {
          return more ? fill() : out;
        });
      });
      return queue;
    };
  }

  /* The data of results [start, end): in Pagefind's order, or merged by date across shards. */
  function page(results, start, end) {
    if (!results.take) {
      return Promise.all(
        results.slice(start, end).map(function (r) {
          return r.loaded || r.data();
        })
      );
    }
    return results.take(end).then(function (ordered) {
      return Promise.all(
        ordered.slice(start, end).map(function (r) {
          return r.loaded || r.data();
        })
      );
    });
  }

  function build() {
    dialog = el("dialog", "ct-search-dialog");
    dialog.setAttribute("aria-label", "Search");
    var form = el("form", "ct-search-dialog__bar");
    form.setAttribute("role", "search");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = dialog.querySelector(".ct-search-result a");
      if (first) first.click();
    });
    var input = el("input", "ct-search-dialog__input");
    input.type = "search";
    input.placeholder = "Search";
    input.setAttribute("aria-label", "Search");
    input.autocomplete = "off";
    input.spellcheck = false;
    input.addEventListener("input", function () {
      state.term = input.value;
      schedule();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        var first = dialog.querySelector(".ct-search-result a");
        if (first) {
          event.preventDefault();
          first.focus();
        }
      }
    });
    var sort = el("select", "ct-search-dialog__sort");
    sort.name = "sort";
    sort.setAttribute("aria-label", "Sort");
    [
      ["", "Best match"],
      ["desc", "Newest first"],
      ["asc", "Oldest first"],
    ].forEach(function (pair) {
      var option = el("option", "", pair[1]);
      option.value = pair[0];
      sort.appendChild(option);
    });
    sort.addEventListener("change", function () {
      state.sort = sort.value;
      search();
    });
    var toggle = el("button", "ct-search-dialog__filters-toggle", "Filters");
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      dialog.classList.toggle("ct-search-dialog--filters", open);
      if (open && !state.filters) loadFilters();
    });
    var close = el("button", "ct-search-dialog__close", "Close");
    close.type = "button";
    close.setAttribute("aria-label", "Close search");
    close.addEventListener("click", function () {
      dialog.close();
    });
    form.appendChild(input);
    form.appendChild(sort);
    form.appendChild(toggle);
    form.appendChild(close);
    var body = el("div", "ct-search-dialog__body");
    var panel = el("div", "ct-search-dialog__filters");
    panel.setAttribute("aria-label", "Filters");
    var results = el("div", "ct-search-dialog__results");
    results.setAttribute("aria-live", "polite");
    body.appendChild(panel);
    body.appendChild(results);
    dialog.appendChild(form);
    dialog.appendChild(body);
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close(); // a click on the backdrop
    });
    document.body.appendChild(dialog);
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  }

  function active() {
    var out = {};
    Object.keys(state.selected).forEach(function (name) {
      var values = Object.keys(state.selected[name]);
      if (values.length) out[name] = { any: values };
    });
    return out;
  }

  function search() {
    var run = ++state.run;
    state.shown = PAGE;
    var filters = active();
    var term = state.term.trim();
    var results = dialog.querySelector(".ct-search-dialog__results");
    if (!term && !Object.keys(filters).length) {
      results.textContent = "";
      if (state.filters) renderFilters(state.filters);
      return;
    }
    load()
      .then(function () {
        var options = { filters: filters };
        if (state.sort) options.sort = { date: state.sort };
        return pagefind.search(term || null, options);
      })
      .then(function (found) {
        if (run !== state.run || !found) return;
        if (state.filters) renderFilters(found.filters, found.totalFilters);
        var results = found.results;
        if (state.sort && state.shards > 1) {
          results = found.results.slice();
          results.take = sorted(found.results, state.sort);
        }
        renderResults(results, run);
      })
      .catch(failed);
  }

  function failed(error) {
    var results = dialog.querySelector(".ct-search-dialog__results");
    results.textContent = "Search is not available (" + error.message + ").";
  }

  function loadFilters() {
    var panel = dialog.querySelector(".ct-search-dialog__filters");
    panel.textContent = "Loading filters\u2026";
    load()
      .then(function () {
        return pagefind.filters();
      })
      .then(function (all) {
        state.filters = all;
        renderFilters(all);
        if (state.term.trim()) search(); // counts for the current results
      })
      .catch(failed);
  }

  /* counts: per value, the results it has under the current query and filters. A group with
   * ticked values shows unfiltered counts instead (totals: the query alone), so a second value
   * of the same group can still be added. */
  function renderFilters(counts, totals) {
    var panel = dialog.querySelector(".ct-search-dialog__filters");
    panel.textContent = "";
    var names = Object.keys(state.filters).sort(function (a, b) {
      return (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || (a < b ? -1 : 1);
    });
    names.forEach(function (name) {
      var group = el("fieldset", "ct-search-filter");
      group.setAttribute("data-filter", name);
      group.appendChild(el("legend", "", name.charAt(0).toUpperCase() + name.slice(1)));
      var values = Object.keys(state.filters[name]).sort(function (a, b) {
        return state.filters[name][b] - state.filters[name][a] || (a < b ? -1 : 1);
      });
      values.forEach(function (value) {
        var own = totals && Object.keys(state.selected[name] || {}).length ? totals : counts;
        var count = own && own[name] ? own[name][value] || 0 : 0;
        var checked = !!(state.selected[name] && state.selected[name][value]);
        if (!count && !checked) return;
        var label = el("label", "ct-search-filter__value");
        var box = el("input");
        box.type = "checkbox";
        box.name = name;
        box.value = value;
        box.checked = checked;
        box.addEventListener("change", function () {
          var chosen = (state.selected[name] = state.selected[name] || {});
          if (box.checked) chosen[value] = true;
          else delete chosen[value];
          search();
        });
        label.appendChild(box);
        label.appendChild(el("span", "ct-search-filter__label", value));
        label.appendChild(el("span", "ct-search-filter__count", String(count)));
        group.appendChild(label);
      });
      if (group.querySelector("label")) panel.appendChild(group);
    });
  }

  function excerpt(html) {
    // Pagefind's excerpt is escaped text with <mark>; keep exactly that and nothing else.
    var template = document.createElement("template");
    template.innerHTML = html;
    var out = document.createDocumentFragment();
    template.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") out.appendChild(el("mark", "", node.textContent));
      else out.appendChild(document.createTextNode(node.textContent));
    });
    return out;
  }

  function renderResults(results, run) {
    var box = dialog.querySelector(".ct-search-dialog__results");
    var count = el("p", "ct-search-dialog__count");
    count.textContent = results.length === 1 ? "1 result" : results.length + " results";
    if (state.sort) {
      // Pagefind leaves pages without a sort key out of sorted results.
      count.appendChild(el("span", "ct-search-dialog__note", " \u00b7 pages without a date are left out"));
    }
    var list = el("ol", "ct-search-dialog__list");
    box.textContent = "";
    box.appendChild(count);
    box.appendChild(list);
    more(results, list, run);
  }

  function more(results, list, run) {
    var box = dialog.querySelector(".ct-search-dialog__results");
    var start = list.children.length;
    page(results, start, state.shown).then(function (pages) {
      if (run !== state.run) return;
      pages.forEach(function (data) {
        var item = el("li", "ct-search-result");
        var link = el("a", "ct-search-result__title", (data.meta && data.meta.title) || data.url);
        link.href = data.url;
        item.appendChild(link);
        var facts = [];
        if (data.filters && data.filters.kind) facts.push(data.filters.kind.join(", "));
        if (data.meta && data.meta.date) facts.push(data.meta.date);
        if (data.filters && data.filters.status) facts.push(data.filters.status.join(", "));
        if (facts.length) item.appendChild(el("span", "ct-search-result__meta", facts.join(" \u00b7 ")));
        var text = el("p", "ct-search-result__excerpt");
        text.appendChild(excerpt(data.excerpt || ""));
        item.appendChild(text);
        list.appendChild(item);
      });
      var old = box.querySelector(".ct-search-dialog__more");
      if (old) old.remove();
      if (results.length > list.children.length) {
        var button = el("button", "ct-search-dialog__more", "More results");
        button.type = "button";
        button.addEventListener("click", function () {
          state.shown += PAGE;
          more(results, list, run);
        });
        box.appendChild(button);
      }
    }, failed);
  }

  function open() {
    if (!dialog) build();
    if (!dialog.open) dialog.showModal();
    dialog.querySelector(".ct-search-dialog__input").focus();
    load().catch(failed);
  }

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".ct-search__button");
    if (button) {
      event.preventDefault();
      open();
    }
  });

  document.addEventListener(
    "keydown",
    function (event) {
      if (dialog && dialog.open) return;
      var key = event.key;
      var chord = (event.ctrlKey || event.metaKey) && !event.altKey && key.toLowerCase() === "k";
      var plain = !event.ctrlKey && !event.metaKey && !event.altKey;
      var single = plain && (key === "/" || key === "s" || key === "f");
      if (chord || (single && !typing(event.target))) {
        event.preventDefault();
        event.stopPropagation();
        open();
      }
    },
    true
  );
})();
