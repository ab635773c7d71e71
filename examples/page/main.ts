import { createTrainer, loadDefaultNames, sample, trainLoop } from 'makemore-webgpu';

const out = document.querySelector('#out')!;
const device = 'gpu' in navigator ? 'gpu' : 'cpu';
const trainer = await createTrainer('bigram-nn', await loadDefaultNames(), { device, hyper: { steps: 200 } });
await trainLoop(trainer, { onProgress: (p) => (out.textContent = `${device} step ${p.step} | loss ${p.loss.toFixed(4)}`) });
const model = await trainer.modelFile();
out.textContent += `\n\n${sample(model, 10, { seed: 1 }).join('\n')}`;
trainer.dispose();
