/*
 * shequ front-end glue. Vanilla ES2017, no build step, no inline scripts.
 *
 * Load after the vendor scripts, e.g.
 *   <meta name="csrf-token" content="{{ csrf_token }}">
 *   <script src="{% static 'vendor/htmx/htmx.min.js' %}" defer></script>
 *   <script src="{% static 'vendor/leaflet/leaflet.js' %}" defer></script>     (pages with maps)
 *   <script src="{% static 'vendor/echarts/echarts.min.js' %}" defer></script> (pages with charts)
 *   <script src="{% static 'shequ/app.js' %}" defer></script>
 *
 * - Every same-origin htmx request carries the CSRF token as X-CSRFToken.
 * - <div data-map="/url/to.geojson"></div> becomes a Leaflet map (no tiles).
 * - <div data-echarts='{"xAxis": ...}'></div> becomes an ECharts chart.
 * - Both are (re)initialised for content swapped in by htmx.
 */
(function () {
  'use strict';

  /* ---------- helpers ---------- */

  function onReady(fn) {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', fn);
    } else {
      fn();
    }
  }

  // All matching elements in root, including root itself.
  function findAll(root, selector) {
    const found = [];
    if (root && root.nodeType === 1 && root.matches(selector)) {
      found.push(root);
    }
    if (root && root.querySelectorAll) {
      found.push.apply(found, root.querySelectorAll(selector));
    }
    return found;
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }

  function isSameOrigin(url) {
    try {
      return new URL(url, window.location.href).origin === window.location.origin;
    } catch (e) {
      return false;
    }
  }

  // Only http(s) and relative links may go into popups.
  function safeHref(url) {
    if (typeof url !== 'string' || url === '') {
      return null;
    }
    try {
      const parsed = new URL(url, window.location.href);
      return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  /* ---------- (b) Leaflet maps from [data-map] ---------- */

  const maps = []; // {el, map}
  const mapInitialised = new WeakSet();

  function popupContent(props) {
    if (!props || props.name === undefined || props.name === null || props.name === '') {
      return null;
    }
    const href = safeHref(props.url);
    const node = document.createElement(href ? 'a' : 'span');
    node.textContent = String(props.name); // textContent: no HTML injection from data
    if (href) {
      node.href = href;
    }
    return node;
  }

  async function initMap(el) {
    if (mapInitialised.has(el)) {
      return;
    }
    mapInitialised.add(el);
    if (typeof window.L === 'undefined') {
      console.error('shequ: [data-map] found but Leaflet (L) is not loaded');
      return;
    }

    // No tile layer unless one is configured (SHEQU_MAP_TILES): otherwise nothing is loaded from other
    // origins and the background comes from app.css.
    const map = window.L.map(el, { zoomSnap: 0.25 });
    maps.push({ el: el, map: map });
    map.setView([0, 0], 1); // placeholder until the data arrives
    const tiles = parseJson(el.dataset.mapTiles);
    if (tiles && tiles.url) {
      window.L.tileLayer(tiles.url, { attribution: tiles.attribution || '', subdomains: '01234567', maxZoom: 18 }).addTo(map);
    }
    wireLayers(el, map);

    let data;
    try {
      const response = await fetch(el.dataset.map, {
        credentials: 'same-origin',
        headers: { Accept: 'application/geo+json, application/json' },
      });
      if (!response.ok) {
        throw new Error('HTTP ' + response.status);
      }
      data = await response.json();
    } catch (err) {
      el.classList.add('map-error');
      console.error('shequ: could not load map data from ' + el.dataset.map, err);
      return;
    }

    const layer = window.L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        return window.L.circleMarker(latlng, {
          radius: 6,
          weight: 1,
          color: '#1d4ed8',
          fillColor: '#3b82f6',
          fillOpacity: 0.8,
        });
      },
      style: function () {
        return { color: '#1d4ed8', weight: 2, fillOpacity: 0.15 };
      },
      onEachFeature: function (feature, featureLayer) {
        const content = popupContent(feature.properties);
        if (content) {
          featureLayer.bindPopup(content);
        }
      },
    }).addTo(map);

    const bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 });
    } else {
      el.classList.add('map-empty');
    }
  }

  function parseJson(text) {
    if (!text) {
      return null;
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      return null;
    }
  }

  // The layers a map page offers ([data-map-layers]): a check box each ([data-map-layer=key]), and for some a
  // choice ([data-map-layer-option=key]); ticked, the layer's GeoJSON is fetched and drawn, styled by its
  // features' properties (color; count sizes a point; radius in metres draws a circle around it).
  function wireLayers(el, map) {
    const declared = parseJson(el.dataset.mapLayers) || [];
    const drawn = {};
    declared.forEach(function (layer) {
      const box = document.querySelector('[data-map-layer="' + layer.key + '"]');
      const option = document.querySelector('[data-map-layer-option="' + layer.key + '"]');
      if (!box) {
        return;
      }
      async function redraw() {
        if (drawn[layer.key]) {
          map.removeLayer(drawn[layer.key]);
          delete drawn[layer.key];
        }
        if (!box.checked) {
          return;
        }
        let url = layer.url;
        if (option && option.value) {
          url += '&option=' + encodeURIComponent(option.value);
        }
        let data;
        try {
          const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
          if (!response.ok) {
            throw new Error('HTTP ' + response.status);
          }
          data = await response.json();
        } catch (err) {
          console.error('shequ: could not load the map layer ' + layer.key, err);
          return;
        }
        const group = window.L.featureGroup();
        window.L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            const props = feature.properties || {};
            const color = props.color || layer.color;
            if (props.radius) {
              window.L.circle(latlng, { radius: props.radius, color: color, weight: 1, fillOpacity: 0.08 }).addTo(group);
            }
            const size = props.count ? Math.min(22, 5 + 2 * Math.sqrt(props.count)) : 6;
            return window.L.circleMarker(latlng, { radius: size, weight: 1, color: color, fillColor: color, fillOpacity: 0.7 });
          },
          style: function (feature) {
            const color = (feature.properties && feature.properties.color) || layer.color;
            return { color: color, weight: 2, fillColor: color, fillOpacity: 0.35 };
          },
          onEachFeature: function (feature, featureLayer) {
            const content = popupContent(feature.properties);
            if (content) {
              featureLayer.bindPopup(content);
            }
          },
        }).addTo(group);
        group.addTo(map);
        drawn[layer.key] = group;
        el.dataset.layersDrawn = Object.keys(drawn).join(',');
      }
      box.addEventListener('change', redraw);
      if (option) {
        option.addEventListener('change', redraw);
      }
    });
  }

  /* ---------- (c) ECharts from [data-echarts] ---------- */

  const charts = []; // {el, chart}

  function initChart(el) {
    if (typeof window.echarts === 'undefined') {
      console.error('shequ: [data-echarts] found but ECharts is not loaded');
      return;
    }
    if (window.echarts.getInstanceByDom(el)) {
      return; // already initialised
    }
    let option;
    try {
      option = JSON.parse(el.dataset.echarts);
    } catch (err) {
      console.error('shequ: invalid JSON in data-echarts', el, err);
      return;
    }
    const chart = window.echarts.init(el);
    chart.setOption(option);
    charts.push({ el: el, chart: chart });
  }

  let resizeQueued = false;
  function onWindowResize() {
    if (resizeQueued) {
      return;
    }
    resizeQueued = true;
    window.requestAnimationFrame(function () {
      resizeQueued = false;
      charts.forEach(function (entry) {
        if (entry.el.isConnected) {
          entry.chart.resize();
        }
      });
    });
  }

  // Free charts/maps whose elements were swapped out of the page by htmx.
  function disposeDetached() {
    for (let i = charts.length - 1; i >= 0; i--) {
      if (!charts[i].el.isConnected) {
        charts[i].chart.dispose();
        charts.splice(i, 1);
      }
    }
    for (let i = maps.length - 1; i >= 0; i--) {
      if (!maps[i].el.isConnected) {
        maps[i].map.remove();
        maps.splice(i, 1);
      }
    }
  }

  /* ---------- wiring ---------- */

  function initWidgets(root) {
    findAll(root, '[data-map]').forEach(function (el) {
      initMap(el);
    });
    findAll(root, '[data-echarts]').forEach(initChart);
  }

  onReady(function () {
    // (a) CSRF token on every (same-origin) htmx request.
    document.body.addEventListener('htmx:configRequest', function (evt) {
      const token = csrfToken();
      if (token && isSameOrigin(evt.detail.path)) {
        evt.detail.headers['X-CSRFToken'] = token;
      }
    });

    // (d) Initialise widgets in content swapped in by htmx.
    document.body.addEventListener('htmx:afterSwap', function (evt) {
      disposeDetached();
      const target = evt.detail && evt.detail.target;
      // With outerHTML swaps the old target is gone; scan the whole page then
      // (already initialised elements are skipped).
      initWidgets(target && target.isConnected ? target : document.body);
    });

    window.addEventListener('resize', onWindowResize);

    initWidgets(document.body);
  });
})();

/* Node picker, select-all checkboxes, confirmations: small behaviours without inline script. */
(function () {
  'use strict';

  // A click on a suggestion [data-pick-id] inside a [data-picker] fills its hidden input and label.
  document.addEventListener('click', function (event) {
    const choice = event.target.closest('[data-pick-id]');
    if (choice) {
      const picker = choice.closest('[data-picker]');
      if (picker) {
        event.preventDefault();
        const hidden = picker.querySelector('input[type=hidden]');
        hidden.value = choice.getAttribute('data-pick-id');
        const search = picker.querySelector('input[type=search]');
        search.value = choice.getAttribute('data-pick-label');
        const list = picker.querySelector('[data-picker-results]');
        if (list) { list.innerHTML = ''; }
        // A filter form refreshes its list on change.
        hidden.dispatchEvent(new Event('change', { bubbles: true }));
      }
      return;
    }
    const all = event.target.closest('[data-select-all]');
    if (all) {
      const table = all.closest('table');
      if (table) {
        table.querySelectorAll('input[name=pk]').forEach(function (box) { box.checked = all.checked; });
      }
    }
  });

  // A filter's drop-down of check boxes (details.filter-checklist): its closed box names what is ticked,
  // and it closes on a click elsewhere.
  document.addEventListener('change', function (event) {
    const list = event.target.closest && event.target.closest('details.filter-checklist');
    if (!list) { return; }
    const names = [];
    list.querySelectorAll('input[type=checkbox]:checked').forEach(function (box) {
      names.push(box.parentNode.textContent.trim());
    });
    const summary = list.querySelector('summary');
    summary.textContent = names.length ? names.join('、') : list.getAttribute('data-any');
    summary.title = names.join('、');
  });
  document.addEventListener('click', function (event) {
    document.querySelectorAll('details.filter-checklist[open]').forEach(function (list) {
      if (!list.contains(event.target)) { list.removeAttribute('open'); }
    });
  });

  // <div data-shown-when="kind" data-shown-values="a b">: a form field shown only while the form's field
  // "kind" has one of the values; hidden, its inputs are disabled and so not sent.
  function applyShownWhen(form) {
    form.querySelectorAll('[data-shown-when]').forEach(function (box) {
      const control = form.elements.namedItem(box.getAttribute('data-shown-when'));
      if (!control) { return; }
      const shown = box.getAttribute('data-shown-values').split(' ').indexOf(control.value) !== -1;
      box.hidden = !shown;
      box.querySelectorAll('input, select, textarea').forEach(function (input) { input.disabled = !shown; });
    });
  }
  document.addEventListener('change', function (event) {
    if (event.target.form) { applyShownWhen(event.target.form); }
  });
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('form').forEach(function (form) {
      if (form.querySelector('[data-shown-when]')) { applyShownWhen(form); }
    });
  });

  // Emptying a picker's search box clears its choice (and refreshes a filter form).
  document.addEventListener('input', function (event) {
    const search = event.target;
    if (search.type !== 'search' || search.value !== '') { return; }
    const picker = search.closest && search.closest('[data-picker]');
    const hidden = picker && picker.querySelector('input[type=hidden]');
    if (hidden && hidden.value !== '') {
      hidden.value = '';
      hidden.dispatchEvent(new Event('change', { bubbles: true }));
    }
  });

  // <form data-confirm="message"> asks before submitting.
  document.addEventListener('submit', function (event) {
    const form = event.target;
    const message = form.getAttribute && form.getAttribute('data-confirm');
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // <select data-autosubmit> / <input data-autosubmit> submit their form on change (language switch).
  document.addEventListener('change', function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute('data-autosubmit')) {
      event.target.form.submit();
    }
  });
})();

/* Category pickers (services): <div data-category-select> holds a search box, hidden until this script
 * shows it, and a <select> grouped by parent category. Typing keeps only the options whose data-search
 * (name, parent, keywords, pinyin) or label holds the text, and the whole group whose name does; the
 * chosen option always stays. One match left is chosen (a change event, so htmx and filters follow). */
(function () {
  'use strict';

  function hit(option, text) {
    return ((option.getAttribute('data-search') || '') + ' ' + option.textContent).toLowerCase().indexOf(text) !== -1;
  }

  function setup(box) {
    if (box.hasAttribute('data-ready')) { return; }
    box.setAttribute('data-ready', '');
    const search = box.querySelector('[data-category-search]');
    const select = box.querySelector('select');
    if (!search || !select) { return; }
    const original = Array.prototype.map.call(select.children, function (node) { return node.cloneNode(true); });
    search.hidden = false;

    function filter() {
      const text = search.value.trim().toLowerCase();
      const current = select.value;
      const matches = [];
      const keep = function (option, groupHit) {
        const ok = !text || !option.value || groupHit || hit(option, text) || option.value === current;
        if (ok && option.value && (!text || groupHit || hit(option, text))) { matches.push(option.value); }
        return ok;
      };
      const nodes = [];
      original.forEach(function (node) {
        if (node.tagName === 'OPTGROUP') {
          const groupHit = text !== '' && node.label.toLowerCase().indexOf(text) !== -1;
          const group = node.cloneNode(false);
          Array.prototype.forEach.call(node.children, function (option) {
            if (keep(option, groupHit)) { group.appendChild(option.cloneNode(true)); }
          });
          if (group.children.length) { nodes.push(group); }
        } else if (keep(node, false)) {
          nodes.push(node.cloneNode(true));
        }
      });
      select.replaceChildren.apply(select, nodes);
      select.value = current;
      if (text && matches.length === 1 && current !== matches[0]) {
        select.value = matches[0];
        select.dispatchEvent(new Event('change', { bubbles: true }));
      }
    }

    search.addEventListener('input', function (event) { event.stopPropagation(); filter(); });
    // The box is no field of the form: its changes and Enter neither refresh a filter form nor submit one.
    search.addEventListener('change', function (event) { event.stopPropagation(); });
    search.addEventListener('keydown', function (event) {
      if (event.key === 'Enter') { event.preventDefault(); select.focus(); }
    });
  }

  function setupAll(root) {
    (root.querySelectorAll ? root : document).querySelectorAll('[data-category-select]').forEach(setup);
  }

  document.addEventListener('DOMContentLoaded', function () { setupAll(document); });
  document.addEventListener('htmx:afterSwap', function (event) { setupAll(event.target || document); });
})();

// A button with data-print prints the page (e.g. a public board for the notice board; CSP forbids inline scripts).
document.addEventListener('click', function (event) {
  var button = event.target.closest ? event.target.closest('[data-print]') : null;
  if (button) { event.preventDefault(); window.print(); }
});
