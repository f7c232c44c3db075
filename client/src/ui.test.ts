// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loadPage } from "./testing/dom.ts";
import { $, busy, copyText, h, hide, setText, show, toast } from "./ui.ts";

beforeEach(() => {
  loadPage();
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("ui helpers", () => {
  it("finds elements by id, and says which one is missing", () => {
    expect($("toast").id).toBe("toast");
    expect(() => $("nope")).toThrow("missing #nope");
  });

  it("builds elements with attributes and children", () => {
    const el = h(
      "button",
      { class: "small", type: "button", disabled: true, title: undefined, hidden: false },
      "Go",
      null,
      h("span", {}, "!"),
    );
    expect(el.outerHTML).toBe('<button class="small" type="button" disabled="">Go<span>!</span></button>');
    show(el, false);
    expect(el.hidden).toBe(true);
    show(el);
    expect(el.hidden).toBe(false);
    hide(el);
    expect(el.hidden).toBe(true);
    setText(el, "Stop");
    expect(el.textContent).toBe("Stop");
  });

  it("shows a toast and hides it after a while; the latest wins", async () => {
    toast("one", "error", 1000);
    toast("two", "success", 1000);
    const el = $("toast");
    expect([el.textContent, el.dataset.kind, el.hidden]).toEqual(["two", "success", false]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(el.classList.contains("toast-out")).toBe(true);
    await vi.advanceTimersByTimeAsync(250);
    expect(el.hidden).toBe(true);
  });

  it("disables a button while its action runs, even when it fails", async () => {
    const b = h("button");
    let during = false;
    await busy(b, async () => {
      during = b.disabled;
    });
    expect([during, b.disabled]).toEqual([true, false]);
    await expect(busy(b, async () => Promise.reject(new Error("x")))).rejects.toThrow("x");
    expect(b.disabled).toBe(false);
    expect(await busy(null, async () => 5)).toBe(5);
  });

  it("copies to the clipboard, else selects the text field for the user", async () => {
    const write = vi.fn(async () => {});
    Object.defineProperty(navigator, "clipboard", { value: { writeText: write }, configurable: true });
    expect(await copyText("abc")).toBe(true);
    expect(write).toHaveBeenCalledWith("abc");
    write.mockRejectedValue(new Error("denied"));
    expect(await copyText("abc")).toBe(false);
    const input = h("input");
    document.body.append(input);
    const select = vi.spyOn(input, "select");
    (document as unknown as { execCommand: () => boolean }).execCommand = () => true;
    expect(await copyText("abc", input)).toBe(true);
    expect(select).toHaveBeenCalled();
    (document as unknown as { execCommand: () => boolean }).execCommand = () => {
      throw new Error("no");
    };
    expect(await copyText("abc", input)).toBe(false);
  });
});
