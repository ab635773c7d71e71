/** Small helpers for the page: typed element lookup, once-per-frame work, wording. */
import { UserError } from '../errors.ts';
import type { ModelKind } from '../train/hyper.ts';
import { MODELS } from '../models/registry.ts';

/** How the page names each kind of model (a loaded file may be of any kind the CLI writes): the registry's labels. */
export const MODEL_NAMES = Object.fromEntries(Object.values(MODELS).map((m) => [m.kind, m.label])) as Record<ModelKind, string>;

/** The element with this id, checked to be of the expected class (a missing id is a bug in index.html). */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`index.html: #${id} is missing or not a ${type.name}`);
  return el;
}

/**
 * Runs `draw` at most once per animation frame, however often `request` is called: training
 * reports progress far more often than the screen refreshes.
 */
export function frameThrottle(draw: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
    });
  };
}

/**
 * An error's message for the page: UserErrors (and their kinds: DivergedError, InterruptedError)
 * are written for users; anything else gets its name.
 */
export function messageOf(e: unknown): string {
  if (e instanceof UserError) return e.message;
  if (e instanceof Error) return e.name === 'UserError' ? e.message : `${e.name}: ${e.message}`;
  return String(e);
}

export function formatInt(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 word", "8,422 words". */
export function countOf(n: number, noun: string): string {
  return `${formatInt(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** Training speed: "1,234 steps/s · 0.81 ms/step"; a slow run keeps two digits ("0.25 steps/s", not "0 steps/s"). */
export function formatSpeed(msPerStep: number): string {
  if (!(msPerStep > 0)) return '–';
  const rate = 1000 / msPerStep;
  return `${rate >= 10 ? formatInt(Math.round(rate)) : rate.toPrecision(2)} steps/s · ${msPerStep.toFixed(2)} ms/step`;
}

/**
 * A file input is hidden inside the label that shows as its button: when the input is disabled,
 * the label must look disabled too (the .file-button.disabled style is button:disabled's).
 */
export function markFileButton(input: HTMLInputElement, disabled: boolean): void {
  const label = input.closest('.file-button');
  label?.classList.toggle('disabled', disabled);
  label?.setAttribute('aria-disabled', String(disabled));
}
