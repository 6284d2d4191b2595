"""Dutch for what Streamlit writes itself: the page's language and the English texts of its
widgets that no parameter changes (the file uploader's button, an empty multiselect's
placeholder, "Skip to main content").

A script in a zero-height, same-origin frame (`st.iframe`, our own fixed text, never user
input) sets `<html lang="nl">` on the page and replaces those texts, also in the labels a
screen reader reads, as Streamlit adds them. What it cannot reach is listed in the README.
"""

from __future__ import annotations

import json

# Streamlit's English text → Dutch. Exact matches of a whole text or label only.
WORDS = {
    "Skip to main content": "Naar de inhoud",
    "Page not found": "Pagina niet gevonden",
    "Browse files": "Bestanden kiezen",
    "Upload": "Uploaden",
    "Drag and drop files here": "Sleep bestanden hierheen",
    "Drag and drop file here": "Sleep een bestand hierheen",
    "Choose options": "Kies een of meer",
    "Choose an option": "Kies er een",
    "No results": "Geen resultaten",
    "Clear all": "Alles wissen",
    "Clear value": "Wissen",
    "Show data": "Gegevens tonen",
    "Close": "Sluiten",
    "Running...": "Bezig…",
    "Main menu": "Hoofdmenu",
    "Show password text": "Wachtwoord tonen",
    "Hide password text": "Wachtwoord verbergen",
    "Collapse sidebar": "Zijbalk inklappen",
    "Expand sidebar": "Zijbalk uitklappen",
    "Download": "Downloaden",
    "Fullscreen": "Volledig scherm",
    "Close fullscreen": "Volledig scherm sluiten",
    "Press Enter to submit form": "Druk op Enter om te versturen",
    "Press Enter to apply": "Druk op Enter om toe te passen",
    "Please wait...": "Even geduld…",
    "Connecting": "Verbinden",
    "Connection error": "Geen verbinding",
    "Stop": "Stoppen",
    "Rerun": "Opnieuw uitvoeren",
    "Sidebar": "Zijbalk",
    "Link to heading": "Link naar deze kop",
    "Search": "Zoeken",
    "Show/hide columns": "Kolommen tonen of verbergen",
    "Show chart": "Grafiek tonen",
    "Download as PNG": "Downloaden als PNG",
    "Download as SVG": "Downloaden als SVG",
    "Download as CSV": "Downloaden als CSV",
    "Copy Vega-Lite spec": "Vega-Lite-specificatie kopiëren",
    "Copied!": "Gekopieerd!",
    "This app has encountered an error. The original error message is redacted to prevent "
    "data leaks. Full error details have been recorded in the logs (if you're on Streamlit "
    "Cloud, click on 'Manage app' in the lower right of your app).": (
        "Er ging iets mis op deze pagina. De details staan in het logboek van de server; er "
        "is niets gewijzigd. Herlaad de pagina of meld het bij de beheerder."
    ),
}

# Parts of a longer text Streamlit writes (the file uploader's "10MB per file • CSV").
PARTS = {" per file": " per bestand"}

# Labels Streamlit composes for a screen reader: "Help for <label>" on a help icon, and
# "<action>: <what it acts on>" on a chart's toolbar ("Download as PNG: Oordeel van FIN ..."),
# whose action is one of WORDS.
PREFIXES = {"Help for ": "Uitleg bij "}

_TEMPLATE = """<script>
(function () {
  const doc = window.parent.document;
  const WORDS = __WORDS__;
  const PARTS = Object.entries(__PARTS__);
  const PREFIXES = Object.entries(__PREFIXES__);
  const ATTRIBUTES = ["aria-label", "placeholder", "title", "alt"];
  // One node: a text, or an element's attributes a screen reader reads.
  function fixNode(node) {
    if (node.nodeType === 3) {
      const text = node.nodeValue.trim();
      if (WORDS[text]) { node.nodeValue = node.nodeValue.replace(text, WORDS[text]); }
      for (const [english, dutch] of PARTS) {
        if (node.nodeValue.includes(english)) {
          node.nodeValue = node.nodeValue.replace(english, dutch);
        }
      }
    } else if (node.nodeType === 1) {
      for (const name of ATTRIBUTES) {
        const value = (node.getAttribute(name) || "").trim();
        if (!value) { continue; }
        if (WORDS[value]) { node.setAttribute(name, WORDS[value]); continue; }
        const colon = value.indexOf(": ");
        if (colon > 0 && WORDS[value.slice(0, colon)]) {
          node.setAttribute(name, WORDS[value.slice(0, colon)] + value.slice(colon));
          continue;
        }
        for (const [english, dutch] of PREFIXES) {
          if (value.startsWith(english)) {
            node.setAttribute(name, dutch + value.slice(english.length));
          }
        }
      }
    }
  }
  // A node and everything in it, except inside an <svg>: a chart's thousands of marks and
  // an icon's paths hold none of Streamlit's texts, and walking them slowed every page.
  const SKIP_SVG = {acceptNode: function (node) {
    return node.nodeName.toLowerCase() === "svg" ? NodeFilter.FILTER_REJECT
                                                  : NodeFilter.FILTER_ACCEPT;
  }};
  function fixTree(root) {
    fixNode(root);
    if (root.nodeType !== 1 || root.nodeName.toLowerCase() === "svg") { return; }
    const walker = doc.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT,
                                        SKIP_SVG);
    for (let next = walker.nextNode(); next; next = walker.nextNode()) { fixNode(next); }
  }
  doc.documentElement.lang = "nl";
  // One observer at a time: a new frame (another page) replaces the last one's.
  if (window.parent.__nederlands) { window.parent.__nederlands.disconnect(); }
  fixTree(doc.body);
  window.parent.__nederlands = new MutationObserver(function (changes) {
    doc.documentElement.lang = "nl";
    for (const change of changes) {
      if (change.type === "childList") { change.addedNodes.forEach(fixTree); }
      else { fixNode(change.target); }
    }
  });
  window.parent.__nederlands.observe(doc.body, {subtree: true, childList: true,
    characterData: true, attributes: true, attributeFilter: ATTRIBUTES});
})();
</script>"""
SCRIPT = (
    _TEMPLATE.replace("__WORDS__", json.dumps(WORDS, ensure_ascii=False))
    .replace("__PARTS__", json.dumps(PARTS, ensure_ascii=False))
    .replace("__PREFIXES__", json.dumps(PREFIXES, ensure_ascii=False))
)
