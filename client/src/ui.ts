/**
 * Small DOM helpers: element lookup, show/hide, the toast, copying text.
 */

/** The element with this id (throws if the page lacks it: a bug, not a runtime condition). */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

export function show(el: HTMLElement, visible = true): void {
  el.hidden = !visible;
}

export function hide(el: HTMLElement): void {
  el.hidden = true;
}

export function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** Create an element with classes, text and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === "class") el.className = String(v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return el;
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;

/** Show a short message in #toast (the latest one wins); kind "error" is red. */
export function toast(message: string, kind: "info" | "error" | "success" = "info", ms = 4500): void {
  const el = $("toast");
  el.textContent = message;
  el.dataset.kind = kind;
  el.hidden = false;
  el.classList.remove("toast-out");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.classList.add("toast-out");
    toastTimer = setTimeout(() => {
      el.hidden = true;
    }, 250);
  }, ms);
}

/** Copy text to the clipboard (falls back to selecting a text field). */
export async function copyText(text: string, fallbackInput?: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (fallbackInput) {
      fallbackInput.focus();
      fallbackInput.select();
      try {
        return document.execCommand("copy");
      } catch {
        return false;
      }
    }
    return false;
  }
}

/** Disable a button while an async action runs (prevents double submits). */
export async function busy<T>(button: HTMLButtonElement | null, fn: () => Promise<T>): Promise<T> {
  if (button) button.disabled = true;
  try {
    return await fn();
  } finally {
    if (button) button.disabled = false;
  }
}
