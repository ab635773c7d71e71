declare module 'wgsl-preprocessor/wgsl-preprocessor.js' {
  /** Template-literal tag: `#if ${flag}` / `#elif` / `#else` / `#endif` blocks, values inserted as text. */
  export function wgsl(strings: TemplateStringsArray | readonly string[], ...values: unknown[]): string;
}
