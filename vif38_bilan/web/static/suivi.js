// Progress of a job without reloading the page (no <meta refresh>: it takes the focus and the
// reading position away from keyboard and screen-reader users). Polls the job's JSON state every
// second for the bar and the duration; the live region (role=status, polite) is rewritten only
// when what is done changes, and at most every 5 s (one announcement per workbook would drown the
// screen reader); at the end the browser goes to data-suite (the result page, or this page again).
(function () {
  "use strict";
  var suivi = document.getElementById("suivi");
  if (!suivi || !window.fetch) { return; }
  var annonce = document.getElementById("avancement");
  var duree = document.getElementById("duree");
  var barre = document.getElementById("barre");
  var echecs = 0;
  var annonceLe = Date.now();

  function lire() {
    fetch(suivi.getAttribute("data-etat"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (e) {
        echecs = 0;
        if (annonce && annonce.textContent !== e.avancement && (e.fini || Date.now() - annonceLe >= 5000)) {
          annonce.textContent = e.avancement;
          annonceLe = Date.now();
        }
        if (duree) { duree.textContent = String(e.duree); }
        if (barre && e.pourcentage !== null) { barre.value = e.pourcentage; barre.textContent = e.pourcentage + " %"; }
        if (e.fini) { window.location.assign(suivi.getAttribute("data-suite") || e.suite); return; }
        window.setTimeout(lire, 1000);
      })
      .catch(function () {
        echecs += 1;
        if (echecs === 5 && annonce) {
          annonce.textContent = "La page ne répond plus : vérifiez que la fenêtre de commande de vif38-bilan est ouverte, puis rechargez la page.";
        }
        window.setTimeout(lire, 2000);
      });
  }
  window.setTimeout(lire, 1000);
})();
