/**
 * The lobby's name form (plain DOM): a guest changes name by becoming a new
 * guest under that name. A taken name is never changed behind the player's
 * back: the server refuses it (NAME_TAKEN) with a free one, and the form says
 * "“Zoe” is taken — use “Zoe-2”?" with a button that takes it.
 */
import { type Api, ApiError, errorText } from "./api.ts";
import { onLanguageChange, t } from "./i18n/index.ts";
import { validateName } from "./inputs.ts";
import { $, busy, setText, show, toast } from "./ui.ts";

export class NameForm {
  private readonly api: Api;
  private readonly changed: () => void;
  /** The refused name and the one offered instead (none: the server found no free one); null: nothing shown. */
  private offer: { wanted: string; name: string | undefined } | null = null;

  /** `changed`: the player is now someone else (reload what depends on it). */
  constructor(api: Api, changed: () => void) {
    this.api = api;
    this.changed = changed;
    $("name-form").addEventListener("submit", (e) => {
      e.preventDefault();
      void this.submit();
    });
    $("use-suggestion").addEventListener("click", () => {
      const name = this.offer?.name;
      if (!name) return;
      ($("name") as HTMLInputElement).value = name;
      void this.submit();
    });
    onLanguageChange(() => this.showOffer());
  }

  /** Ask for the name in the field. */
  private async submit(): Promise<void> {
    const input = $("name") as HTMLInputElement;
    const name = input.value.trim();
    if (name === this.api.identity?.name) return;
    const problem = validateName(name);
    if (problem) {
      toast(problem, "error");
      return;
    }
    await busy($("save-name") as HTMLButtonElement, async () => {
      try {
        const id = await this.api.newGuest(name, { suggest: true });
        input.value = id.name;
        this.offer = null;
        this.showOffer();
        toast(t("lobby:youAreNow", { name: id.name }), "success");
        this.changed();
      } catch (err) {
        if (err instanceof ApiError && err.code === "NAME_TAKEN") {
          this.offer = { wanted: name, name: err.suggestion };
          this.showOffer();
        } else {
          toast(errorText(err), "error");
        }
      }
    });
  }

  private showOffer(): void {
    const box = $("name-suggestion");
    const offer = this.offer;
    show(box, offer !== null);
    if (!offer) return;
    const { wanted, name } = offer;
    setText(
      $("name-suggestion-text"),
      name ? t("lobby:nameTaken", { name: wanted, suggestion: name }) : t("lobby:nameTakenNoSuggestion", { name: wanted }),
    );
    const use = $("use-suggestion");
    setText(use, name ? t("lobby:useSuggestion", { suggestion: name }) : "");
    show(use, name !== undefined);
    box.dataset.suggestion = name ?? "";
  }
}
