// A few DOM helpers: elements are built with textContent (never innerHTML), so nothing from the API is parsed as markup.

type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, ""), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

let ids = 0;
/** A labelled input: <label for> names it for assistive tech and for the tests. */
export function field(label: string, input: HTMLInputElement | HTMLSelectElement): HTMLElement {
  input.id ||= `f${++ids}`;
  return h("div", { class: "field" }, h("label", { for: input.id }, label), input);
}

export function select(name: string, options: Array<[value: string, text: string]>, selected?: string): HTMLSelectElement {
  const element = h("select", { name });
  for (const [value, text] of options) element.append(h("option", { value, selected: value === selected }, text));
  return element;
}

/** A form whose submit runs <paramref name="action"/> with its fields; the submit button is disabled meanwhile. */
export function form(name: string, action: (data: FormData) => Promise<void>, ...children: Child[]): HTMLFormElement {
  const element = h("form", { "aria-label": name }, ...children);
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    const buttons = [...element.querySelectorAll("button")];
    buttons.forEach((b) => (b.disabled = true));
    try { await action(new FormData(element)); } finally { buttons.forEach((b) => (b.disabled = false)); }
  });
  return element;
}

export function button(text: string, onClick: () => void | Promise<void>, attrs: Attrs = {}): HTMLButtonElement {
  const element = h("button", { type: "button", ...attrs }, text);
  element.addEventListener("click", async () => {
    element.disabled = true;
    try { await onClick(); } finally { element.disabled = false; }
  });
  return element;
}

export function table(headers: string[], rows: Array<Array<Node | string>>, caption: string): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty" }, `${caption}: none.`);
  return h("table", {},
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, ...headers.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, ...rows.map((cells) => h("tr", {}, ...cells.map((c) => h("td", {}, c))))));
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : "—";
}
