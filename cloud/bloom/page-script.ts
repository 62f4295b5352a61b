// The mobile pages' only scripts, plain ES2017 sent as text (no framework: the ticket page
// stays far under 100 KB of JavaScript with the socket.io client). `T` is the page's catalog.

/** /q/STORE: join a service (with the phone's position when the store has a radius). */
export const JOIN_SCRIPT = `
(function () {
  var cfg = JSON.parse(document.getElementById('cfg').textContent);
  function post(serviceId, position) {
    fetch(location.pathname.replace(/\\/$/, '') + '/join', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ serviceId: serviceId, lang: cfg.lang, position: position }),
    })
      .then(function (r) { return r.json(); })
      .then(function (b) {
        if (b.url) location.href = b.url;
        else show(b.error || 'Error');
      })
      .catch(function () { show('Error'); });
  }
  function show(text) {
    var e = document.getElementById('error');
    e.textContent = text;
    e.hidden = false;
    Array.prototype.forEach.call(document.querySelectorAll('button'), function (b) { b.disabled = false; });
  }
  document.addEventListener('click', function (ev) {
    var b = ev.target.closest('button[data-service]');
    if (!b) return;
    b.disabled = true;
    var id = b.getAttribute('data-service');
    if (!cfg.needsPosition || !navigator.geolocation) return post(id, null);
    navigator.geolocation.getCurrentPosition(
      function (p) { post(id, { lat: p.coords.latitude, lng: p.coords.longitude }); },
      function () { post(id, null); },
      { timeout: 8000, maximumAge: 60000 }
    );
  });
})();
`;

/** /t/TOKEN: follows the ticket live over the /ticket namespace; leave, or step back. */
export const TICKET_SCRIPT = `
(function () {
  var cfg = JSON.parse(document.getElementById('cfg').textContent);
  var T = cfg.texts;
  var last = null;
  function fill(s, v) { return s.replace(/\\{(\\w+)\\}/g, function (w, k) { return v[k] === undefined ? w : v[k]; }); }
  function $(id) { return document.getElementById(id); }
  function render(v) {
    var was = last && last.state;
    last = v;
    $('ticket').textContent = v.ticket;
    $('service').textContent = v.service;
    var status = '', detail = '', waiting = v.state === 'waiting' || v.state === 'booked';
    if (waiting) {
      status = v.peopleBefore === 0 ? T.next : fill(T.ahead, { count: v.peopleBefore });
      detail = fill(T.wait, { minutes: Math.max(1, v.waitMinutes) });
    } else if (v.state === 'called') status = fill(T.yourTurn, { desk: v.desk || '' });
    else if (v.state === 'serving') status = T.serving;
    else if (v.state === 'cancelled') status = T.left;
    else if (v.state === 'no_show') status = T.missed;
    else status = T.finished;
    $('status').textContent = status;
    $('detail').textContent = detail;
    $('ahead').textContent = waiting ? String(v.peopleBefore) : '';
    document.body.setAttribute('data-state', v.state);
    $('actions').hidden = !waiting;
    if (v.state === 'called' && was !== 'called') {
      if (navigator.vibrate) { try { navigator.vibrate([400, 150, 400, 150, 400]); } catch (e) {} }
      try {
        var ctx = new (window.AudioContext || window.webkitAudioContext)();
        var o = ctx.createOscillator(); o.frequency.value = 880; o.connect(ctx.destination);
        o.start(); o.stop(ctx.currentTime + 0.4);
      } catch (e) {}
    }
  }
  function act(path, body) {
    return fetch(location.pathname.replace(/\\/$/, '') + '/' + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body || {}),
    }).then(function (r) { return r.json(); }).then(function (b) {
      if (b.view) render(b.view);
      $('note').textContent = b.error || b.note || '';
    });
  }
  $('leave').addEventListener('click', function () { if (confirm(T.confirmLeave)) act('cancel'); });
  $('late').addEventListener('click', function () { act('late', { places: cfg.latePlaces }); });
  render(cfg.view);
  var socket = io('/ticket', { auth: { token: cfg.token }, transports: ['websocket'] });
  socket.on('ticket', render);
  socket.on('connect', function () { $('live').textContent = T.live; });
  socket.on('disconnect', function () { $('live').textContent = T.reconnecting; });
  socket.on('connect_error', function () { $('live').textContent = T.reconnecting; });
})();
`;
