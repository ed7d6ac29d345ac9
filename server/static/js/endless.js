// Endless scrolling for photo grids: "More photos" fetches the next keyset page as an
// HTML fragment and appends it. Without JavaScript the link opens the next page.
document.addEventListener("click", async (event) => {
  const link = event.target.closest(".more a[rel=next]");
  if (!link) return;
  event.preventDefault();
  const url = new URL(link.href);
  url.searchParams.set("fragment", "1");
  const response = await fetch(url, { headers: { "X-Requested-With": "fetch" } });
  if (!response.ok) { window.location = link.href; return; }
  const holder = document.createElement("div");
  holder.innerHTML = await response.text();
  const grid = document.querySelector("#grid ul.grid");
  holder.querySelectorAll("ul.grid > li").forEach((li) => grid.appendChild(li));
  link.parentElement.replaceWith(...holder.querySelectorAll(".more"));
});
