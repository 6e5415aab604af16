// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Pre-select the browser's time zone on sign-up, where the person has not chosen one yet.
  const zone = document.querySelector("select[name=timezone][data-guess]");
  if (zone && window.Intl) {
    const guess = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (guess && [...zone.options].some((o) => o.value === guess)) zone.value = guess;
  }
  // Move focus to the error summary so screen readers announce what to fix.
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
  // Ask before a form that cannot be undone (cancelling a session or a cohort).
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
