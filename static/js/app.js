// factcheck: small progressive enhancements. Pages work without it (and without htmx).
"use strict";

// A rating select points at the list of what each label means (data-rating-help): mark the
// description of the chosen label, so the reviewer reads the one that applies.
function markChosenRating(select) {
  const list = document.getElementById(select.dataset.ratingHelp);
  if (!list) return;
  for (const item of list.querySelectorAll("[data-rating]")) {
    item.classList.toggle("chosen", item.dataset.rating === select.value);
  }
}

function markAllChosenRatings() {
  document.querySelectorAll("select[data-rating-help]").forEach(markChosenRating);
}

document.addEventListener("change", (event) => {
  if (event.target instanceof HTMLSelectElement && event.target.dataset.ratingHelp) {
    markChosenRating(event.target);
  }
});
document.addEventListener("DOMContentLoaded", markAllChosenRatings);
// Panels swapped in by htmx bring their own selects.
document.addEventListener("htmx:afterSettle", markAllChosenRatings);

// htmx posts: a message is about the last thing done, so old ones go when a form is sent, and
// the new one takes the focus (the button pressed was swapped away with its panel).
document.addEventListener("htmx:beforeRequest", (event) => {
  if (!(event.detail.elt instanceof HTMLFormElement)) return; // a status poll, not a person
  document.querySelectorAll(".card > .message, main > .messages").forEach((old) => old.remove());
});
document.addEventListener("htmx:afterSettle", (event) => {
  if (!(event.detail.requestConfig?.elt instanceof HTMLFormElement)) return;
  const notice = document.querySelector(".card > .message");
  if (notice && !notice.contains(document.activeElement)) notice.focus();
});

// A post whose session had expired is answered, after a redirect, with the login page: go and
// log in (then come back here) instead of showing a whole page inside a panel.
document.addEventListener("htmx:beforeSwap", (event) => {
  const answered = event.detail.xhr.responseURL;
  if (!answered || new URL(answered).pathname !== "/login/") return;
  event.detail.shouldSwap = false;
  window.location.assign("/login/?next=" + encodeURIComponent(window.location.pathname));
});

// No panel came back (refused, a server error, or no connection): say so in the form's panel
// rather than leave the button looking as if nothing happened.
function reportFailure(event, text) {
  if (!(event.detail.elt instanceof HTMLFormElement)) return; // a poll tries again by itself
  const card = event.detail.elt.closest(".card");
  if (!card) return;
  const message = document.createElement("p");
  message.className = "message error";
  message.setAttribute("role", "alert");
  message.tabIndex = -1;
  message.textContent = text;
  card.querySelector("h2")?.after(message);
  message.focus();
}
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  reportFailure(event, status === 403
    ? "Not done: refused. Reload the page to check that you are logged in and allowed to do this."
    : `Not done: the server answered ${status}. Reload the page to see what is stored.`);
});
document.addEventListener("htmx:sendError", (event) => {
  reportFailure(event, "Not sent: the server could not be reached. Check the connection and try again.");
});
