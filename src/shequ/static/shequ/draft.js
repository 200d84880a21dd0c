/*
 * Offline-tolerant forms: <form data-draft="KEY"> keeps what is typed in the browser's storage (localStorage,
 * this device only) and puts it back when the page is opened again — after a lost connection, a reload, a
 * closed tab.  Files, passwords and the CSRF token are never kept.  An element [data-draft-clear="KEY"] on the
 * page reached after a successful save forgets the draft.  When the browser is offline the form is not sent
 * (it would be lost): [data-draft-offline="KEY"] is shown instead, and the draft stays.
 */
(function () {
  'use strict';

  var PREFIX = 'shequ:draft:';
  var SKIP = { csrfmiddlewaretoken: true };

  function storage() {
    try {
      var probe = PREFIX + 'probe';
      window.localStorage.setItem(probe, '1');
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  function kept(el) {
    return el.name && !SKIP[el.name] && el.type !== 'file' && el.type !== 'password' && el.type !== 'submit' && !el.disabled;
  }

  function collect(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el)) {
        return;
      }
      if (el.type === 'checkbox' || el.type === 'radio') {
        if (el.checked) {
          (data[el.name] = data[el.name] || []).push(el.value);
        } else if (!(el.name in data)) {
          data[el.name] = [];
        }
      } else if (el.tagName === 'SELECT' && el.multiple) {
        data[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }

  function restore(form, data) {
    var changed = false;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el) || !(el.name in data)) {
        return;
      }
      var value = data[el.name];
      if (el.type === 'checkbox' || el.type === 'radio') {
        var on = Array.isArray(value) && value.indexOf(el.value) !== -1;
        if (el.checked !== on) { el.checked = on; changed = true; }
      } else if (el.tagName === 'SELECT' && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = Array.isArray(value) && value.indexOf(o.value) !== -1; });
        changed = true;
      } else if (typeof value === 'string' && el.value !== value && value !== '') {
        el.value = value;
        changed = true;
      }
    });
    return changed;
  }

  function show(selector) {
    var note = document.querySelector(selector);
    if (note) {
      note.classList.remove('d-none');
    }
  }

  function setup(form, store) {
    var key = PREFIX + form.getAttribute('data-draft');
    var name = form.getAttribute('data-draft');
    var saved = store.getItem(key);
    if (saved) {
      try {
        if (restore(form, JSON.parse(saved))) {
          show('[data-draft-restored="' + name + '"]');
        }
      } catch (e) {
        store.removeItem(key);
      }
    }
    var save = function () {
      store.setItem(key, JSON.stringify(collect(form)));
    };
    form.addEventListener('input', save);
    form.addEventListener('change', save);
    form.addEventListener('submit', function (event) {
      save();
      if (navigator.onLine === false) {
        event.preventDefault();
        show('[data-draft-offline="' + name + '"]');
      }
    });
    window.addEventListener('offline', function () { show('[data-draft-offline="' + name + '"]'); });
  }

  function init() {
    var store = storage();
    if (!store) {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll('[data-draft-clear]'), function (el) {
      store.removeItem(PREFIX + el.getAttribute('data-draft-clear'));
    });
    Array.prototype.forEach.call(document.querySelectorAll('form[data-draft]'), function (form) {
      setup(form, store);
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
