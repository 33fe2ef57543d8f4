// livret serve: the live-reload client, injected into served HTML pages only (never into out/).
(function () {
  "use strict";
  var me = document.currentScript;
  var gen = me && me.getAttribute("data-gen");
  var box = null;
  function hide() { if (box) { box.remove(); box = null; } }
  function show(text) {
    hide();
    box = document.createElement("div");
    box.id = "livret-problems";
    box.setAttribute("role", "alert");
    Object.assign(box.style, {
      position: "fixed", inset: "0", zIndex: "2147483647", overflow: "auto",
      background: "rgba(24, 24, 27, 0.94)", color: "#fafafa", padding: "2rem",
      font: "14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"
    });
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "Close");
    Object.assign(close.style, {
      position: "fixed", top: "1rem", right: "1.5rem", font: "inherit", fontSize: "1.5rem",
      background: "none", color: "inherit", border: "0", cursor: "pointer"
    });
    close.addEventListener("click", hide);
    var pre = document.createElement("pre");
    pre.textContent = text;
    Object.assign(pre.style, { margin: "0", whiteSpace: "pre-wrap", font: "inherit" });
    box.appendChild(close);
    box.appendChild(pre);
    document.body.appendChild(box);
  }
  var events = new EventSource("/__livret/events");
  events.addEventListener("hello", function (e) {
    if (gen !== null && e.data !== gen) { location.reload(); }
  });
  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("problems", function (e) { show(JSON.parse(e.data).text); });
})();
