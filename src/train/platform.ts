/** A short description of the CPU side, in Node and in the browser. */
export function cpuDescription(): string {
  const g = globalThis as { process?: { versions?: { node?: string }; arch?: string }; navigator?: { userAgent?: string; hardwareConcurrency?: number } };
  if (g.process?.versions?.node) return `CPU (Node ${g.process.versions.node}, ${g.process.arch}), single thread`;
  return `CPU (${g.navigator?.userAgent ?? 'browser'}), single thread`;
}
