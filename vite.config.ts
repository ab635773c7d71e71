/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

export default defineConfig({
  // Relative asset paths: the built site works from any folder or static host.
  base: './',
  build: {
    target: 'es2022',
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Dawn (the native WebGPU of the GPU tests) wants a process of its own, not a worker thread.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
