/// <reference types="vitest/config" />
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The commit a build comes from: the benchmark page writes it beside its numbers, as the CLI does. */
function gitCommit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

export default defineConfig({
  // Relative asset paths: the built site works from any folder or static host.
  base: './',
  define: {
    __BUILD_COMMIT__: JSON.stringify(gitCommit()),
  },
  build: {
    target: 'es2022',
    // Two pages: the trainer and the benchmark (rolldownOptions: Vite 8's name for rollupOptions).
    rolldownOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        bench: fileURLToPath(new URL('./bench.html', import.meta.url)),
      },
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Dawn (the native WebGPU of the GPU tests) wants a process of its own, not a worker thread.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
