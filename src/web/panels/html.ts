// Small helpers for the side panels' HTML: text is always escaped, so names and addresses from
// the host (which anyone who can create an interface chooses) never become markup.

export function esc(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A definition list of the pairs whose value is not empty. */
export function facts(pairs: [string, unknown][]): string {
  const rows = pairs.filter(([, v]) => v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0));
  return `<dl class="facts">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(Array.isArray(v) ? v.join(", ") : v)}</dd>`).join("")}</dl>`;
}

/** A table with a header row; cells are escaped. */
export function table(head: string[], rows: unknown[][], empty = "none"): string {
  if (rows.length === 0) return `<p class="empty">${esc(empty)}</p>`;
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
}

export function section(title: string, body: string): string {
  return `<section><h3>${esc(title)}</h3>${body}</section>`;
}
