// Formsets: the "add a row" buttons clone the empty form of a Django formset.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-formset-add]");
  if (!button) return;
  const prefix = button.dataset.formsetAdd;
  const total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  const template = document.getElementById(prefix + "-empty");
  const body = document.getElementById(prefix + "-rows");
  const html = template.innerHTML.replace(/__prefix__/g, total.value);
  body.insertAdjacentHTML("beforeend", html);
  total.value = parseInt(total.value, 10) + 1;
  if (window.accordPickers) window.accordPickers.setupAll(body.lastElementChild);
});
