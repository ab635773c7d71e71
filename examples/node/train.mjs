import { createTrainer, loadDefaultNames, sample, saveModelFile, trainLoop } from 'makemore-webgpu/node';

const device = process.argv[2] === 'gpu' ? 'gpu' : 'cpu';
const trainer = await createTrainer('mlp', await loadDefaultNames(), { device, hyper: { steps: 300 } });
const stop = new AbortController();
process.once('SIGINT', () => stop.abort()); // Ctrl-C: stop after the steps under way
await trainLoop(trainer, { signal: stop.signal, onProgress: (p) => console.log(`step ${p.step} | loss ${p.loss.toFixed(4)}`) });
const model = await trainer.modelFile();
console.log(`${trainer.deviceDescription}: train ${model.loss.toFixed(4)} | dev ${model.devLoss?.toFixed(4)}`);
console.log(sample(model, 5, { seed: 1 }).join(', '));
saveModelFile(`mlp-${device}.json`, model);
trainer.dispose();
