/* Hromada offline (hromada/core/offline.py): installs the service worker, says how old a kept
   page is, keeps what a form[data-offline] sends on the phone until the server has it (each
   item with its own Idempotency-Key: sent again, it is never recorded twice), and fetches
   htmx only for pages that use it. Words come from the page (#offline's data attributes). */
(() => {
  "use strict";
  const slot = document.getElementById("offline");
  if (!slot) return;
  const T = slot.dataset, user = T.user || "", list = slot.querySelector(".outbox");
  const on = (type, fn, opts) => addEventListener(type, fn, opts);

  // htmx is half a page's weight: polling pages get it now, filter forms when first touched
  // (an event that comes before it is given to it once it is there).
  const HX = "[hx-get],[hx-post]";
  let hx;
  const htmx = () => hx || (hx = new Promise((ok) => {
    const s = document.createElement("script");
    s.src = T.htmx;
    s.onload = s.onerror = ok;
    document.head.append(s);
  }));
  const near = (e) => e.target.closest && e.target.closest(HX);
  if (document.querySelector("[hx-trigger*=every],[hx-trigger*=load],[hx-trigger*=reveal]")) htmx();
  else if (document.querySelector(HX)) {
    for (const t of ["pointerdown", "focusin", "keydown"]) on(t, (e) => near(e) && htmx(), true);
    for (const t of ["change", "submit"]) on(t, (e) => {
      const el = near(e);
      if (!el || window.htmx) return;
      if (t === "submit") e.preventDefault();
      htmx().then(() => (window.htmx ? window.htmx.trigger(el, t) : t === "submit" && el.submit()));
    }, true);
  }

  // A kept copy (over a minute old), or no network: say when the page was made.
  const when = slot.querySelector(".refreshed");
  const age = () => { when.hidden = navigator.onLine && Date.now() - T.rendered * 1e3 < 6e4; };
  age();
  on("offline", age);

  if (!window.indexedDB || !navigator.serviceWorker) return;
  const ls = localStorage;
  if (ls.getItem("hromada-user") !== user) {
    caches.delete("hromada-pages"); // nobody else's pages stay on a shared phone
    ls.setItem("hromada-user", user);
  }
  navigator.serviceWorker.register("/sw.js").then(() => navigator.serviceWorker.ready).then((reg) => {
    // Signed in, fetch ahead (at most every half hour) what is needed on the move.
    const saving = navigator.connection && navigator.connection.saveData;
    if (user && navigator.onLine && !saving && Date.now() - (+ls.getItem("hromada-warm") || 0) > 18e5) {
      ls.setItem("hromada-warm", Date.now());
      reg.active.postMessage("warm");
    }
  }, () => {});

  const db = new Promise((ok, ko) => {
    const r = indexedDB.open("hromada", 1);
    r.onupgradeneeded = () => r.result.createObjectStore("outbox", { keyPath: "id", autoIncrement: true });
    r.onsuccess = () => ok(r.result);
    r.onerror = () => ko(r.error);
  });
  const store = (mode, act) => db.then((d) => new Promise((ok, ko) => {
    const tx = d.transaction("outbox", mode), r = act(tx.objectStore("outbox"));
    tx.oncomplete = () => ok(r.result);
    tx.onerror = () => ko(tx.error);
  }));
  const mine = () => store("readonly", (s) => s.getAll()).then((all) => all.filter((i) => i.user === user));
  const save = (item) => store("readwrite", (s) => s.put(item));
  const drop = (item) => store("readwrite", (s) => s.delete(item.id));
  const sent = []; // sent while this page is open: shown until it is left

  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    e.className = cls;
    e.textContent = text;
    return e;
  };
  // What it is, then a pill saying how it stands, or (refused) the reason in red.
  function row(item) {
    const li = el("li", { failed: "msg-error", sent: "msg-success" }[item.state] || "msg-warning", "");
    const failed = item.state === "failed";
    li.dataset.state = item.state;
    li.append(el("strong", "", item.label), " ", failed ? el("span", "error-summary", item.message) : el("span", "tag", T[item.state]));
    if (item.message && !failed) li.append(" " + item.message);
    if (failed) {
      const x = el("button", "secondary", T.dismiss);
      x.type = "button";
      x.onclick = () => drop(item).then(render);
      li.append(" ", x);
    }
    return li;
  }

  function render() {
    return mine().then((items) => {
      list.replaceChildren(...items.concat(sent).map(row));
      list.hidden = !list.children.length;
      for (const f of document.querySelectorAll("form[data-offline]")) { // no second tap
        const waiting = items.some((i) => i.url === f.action && i.state === "waiting");
        for (const b of f.querySelectorAll("button[type=submit]")) b.disabled = waiting;
      }
    });
  }

  // Send one item; true when the server answered (done or refused), false when not reached.
  function send(item, form) {
    const body = new FormData();
    for (const [k, v] of item.fields) body.append(k, v);
    return fetch(item.url, {
      method: "POST", body, credentials: "same-origin", signal: AbortSignal.timeout(3e4),
      headers: { "Idempotency-Key": item.key, "X-Hromada-Queue": form ? "page" : "outbox" },
    }).then((r) => ((r.headers.get("Content-Type") || "").startsWith("application/json") ? r.json()
      // A server without the replay middleware answers with the page itself.
      : { ok: r.ok, status: r.status, location: r.url, messages: [], errors: [] })
    ).catch(() => null).then((a) => {
      if (!a || a.status >= 500) return false; // not reached, or not now: later
      if (form) { // the user waits: go where the page goes, or send it the usual way to see why not
        return drop(item).then(() => (a.status >= 400 ? form.submit() : location.assign(a.location), true));
      }
      item.state = a.ok ? "sent" : "failed";
      item.message = (a.ok ? a.messages : a.errors).join(" ") || (a.ok ? "" : T.failed);
      if (a.ok) sent.push(item);
      return (a.ok ? drop(item) : save(item)).then(() => true);
    });
  }

  let busy = false;
  function flush() {
    if (busy || !navigator.onLine) return;
    busy = true;
    const run = () => mine().then(async (items) => {
      for (const i of items) if (i.state === "waiting" && !(await send(i))) break; // in order
    });
    (navigator.locks ? navigator.locks.request("hromada-outbox", run) : run())
      .catch(() => {}).then(() => { busy = false; return render(); });
  }

  // A phone's photo (megabytes) takes minutes at 50 kbit/s: send it smaller (the server
  // shrinks it again). Anything else, or a photo the browser cannot read, goes as it is.
  const shrink = (v) => (!(v instanceof File) || !/^image\/(jpeg|png|webp)$/.test(v.type) || v.size < 3e5 ? v
    : createImageBitmap(v).then((img) => {
      const k = Math.min(1, 1600 / Math.max(img.width, img.height));
      const c = new OffscreenCanvas(Math.round(img.width * k), Math.round(img.height * k));
      c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
      return c.convertToBlob({ type: "image/jpeg", quality: 0.7 });
    }).then((b) => new File([b], v.name.replace(/\.\w+$/, "") + ".jpg", { type: "image/jpeg" }), () => v));

  document.addEventListener("submit", (e) => {
    const form = e.target, button = e.submitter;
    if (!form.matches("form[data-offline]") || e.defaultPrevented) return;
    if (navigator.onLine && !("replay" in T)) return; // online, and no replay: the usual way
    e.preventDefault();
    const key = crypto.randomUUID(), link = form.closest("li") && form.closest("li").querySelector("a");
    if (form.elements.idempotency_key) form.elements.idempotency_key.value = key;
    // What it is: the button's words and what it is about (the item in a list, or the page).
    const about = link ? link.textContent : document.title.replace(/ · [^·]*$/, "");
    const item = {
      key, user, url: form.action, state: "waiting",
      label: [form.dataset.offline || (button && button.textContent) || "", about].map((s) => s.trim()).filter(Boolean).join(" — "),
    };
    Promise.all([...new FormData(form, button)].map(([k, v]) => Promise.resolve(shrink(v)).then((w) => [k, w])))
      .then((fields) => { item.fields = fields; return save(item); })
      .then((id) => { item.id = id; return render(); })
      .then(() => navigator.onLine && send(item, form)).then(render);
  });

  on("online", () => { age(); flush(); });
  setInterval(() => list.querySelector("[data-state=waiting]") && flush(), 2e4);
  render().then(flush);
})();
