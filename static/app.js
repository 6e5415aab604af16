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
  // Copy buttons stay hidden without JavaScript; the field they copy is selectable either way.
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    const field = document.getElementById(button.dataset.copy);
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      navigator.clipboard.writeText(field.value).then(() => { button.textContent = "Copied"; });
    });
  });
  // A destructive action's confirmation step (<details class="confirm">), once opened by the person, takes focus
  // to its first field or its red button; the step itself works without this script.
  document.querySelectorAll("details.confirm").forEach((step) => {
    let asked = false;
    step.querySelector("summary").addEventListener("click", () => { asked = true; });
    step.addEventListener("toggle", () => {
      if (step.open && asked) {
        step.querySelector(".confirm-step :is(input:not([type=hidden]), textarea, button)")?.focus();
      }
      asked = false;
    });
  });
});
