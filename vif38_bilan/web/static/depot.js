// Drag-and-drop onto the drop zone: the dropped files go into the form's file input, then the
// plain form is submitted as without script. No framework, no network.
(function () {
  "use strict";
  var zone = document.getElementById("zone-depot");
  var input = document.getElementById("fichiers");
  var liste = document.getElementById("choisis");
  if (!zone || !input || !liste) { return; }

  function montrer() {
    liste.textContent = "";
    for (var i = 0; i < input.files.length; i++) {
      var li = document.createElement("li");
      li.textContent = input.files[i].name;
      liste.appendChild(li);
    }
  }

  ["dragenter", "dragover"].forEach(function (nom) {
    zone.addEventListener(nom, function (e) {
      e.preventDefault();
      zone.classList.add("survol");
    });
  });
  ["dragleave", "drop"].forEach(function (nom) {
    zone.addEventListener(nom, function () { zone.classList.remove("survol"); });
  });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      montrer();
    }
  });
  input.addEventListener("change", montrer);
  document.getElementById("form-depot").addEventListener("submit", function () {
    var bouton = document.getElementById("deposer");
    bouton.textContent = "Envoi en cours…";
  });
})();
