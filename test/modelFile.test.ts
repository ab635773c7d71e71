import { describe, expect, it } from 'vitest';
import { parseWordList } from '../src/data/dataset.ts';
import { MODEL_FORMAT, MODEL_VERSION, modelProbabilities, modelSamples, parseModel, serializeModel, type ModelFile } from '../src/models/modelFile.ts';
import { bigramCountsCpu, countsToProbs } from '../src/models/bigramCounts.ts';
import { bigramNetProbs } from '../src/models/bigramNet.ts';
import { sampleWords } from '../src/models/sample.ts';
import { runTraining } from '../src/train/run.ts';
import { userError } from './helpers/fixtures.ts';

const data = parseWordList('emma\nava\nolivia\nisabella\nsophia\n', 'names.txt');
const hyper = { steps: 30, lr: 10, reg: 0.01, batchSize: 0, seed: 4 };

async function trained(model: 'bigram-counts' | 'bigram-nn', smoothing = 1): Promise<ModelFile> {
  return (await runTraining(data, { model, device: 'cpu', hyper, smoothing, samples: 0 })).model;
}


function rowSums(p: Float64Array, V: number): number[] {
  return Array.from({ length: V }, (_, x) => p.subarray(x * V, x * V + V).reduce((a, b) => a + b, 0));
}

describe('model files', () => {
  it.each(['bigram-counts', 'bigram-nn'] as const)('round-trip %s through serializeModel → parseModel unchanged', async (kind) => {
    const m = await trained(kind);
    expect(m.format).toBe(MODEL_FORMAT);
    expect(m.version).toBe(MODEL_VERSION);
    const text = serializeModel(m);
    const back = parseModel(text, 'model.json');
    expect(back).toEqual(m);
    // Float32 weights survive JSON bit for bit.
    expect(Float32Array.from(back.weights)).toEqual(Float32Array.from(m.weights));
    // The same samples before and after.
    expect(sampleWords(modelProbabilities(back), back.symbols, 10, 3)).toEqual(sampleWords(modelProbabilities(m), m.symbols, 10, 3));
    // Serialising again gives the same text.
    expect(serializeModel(back)).toBe(text);
  });

  it('stores counts for the counting model and W for the net', async () => {
    const c = await trained('bigram-counts', 0);
    const V = data.symbols.length;
    expect(c.weights).toEqual(Array.from(bigramCountsCpu(data.xs, data.ys, V)));
    expect(c.hyper).toEqual({ smoothing: 0 });
    const n = await trained('bigram-nn');
    expect(n.hyper).toMatchObject(hyper);
    expect(n.steps).toBe(hyper.steps);
    expect(n.weights).toHaveLength(V * V);
    expect(n.loss).toBeGreaterThan(n.nll);
  });

  it('modelProbabilities: rows sum to 1 and match the model’s own formula', async () => {
    const V = data.symbols.length;
    for (const smoothing of [0, 1]) {
      const c = await trained('bigram-counts', smoothing);
      const p = modelProbabilities(c);
      for (const s of rowSums(p, V)) expect(s).toBeCloseTo(1, 14);
      expect(p).toEqual(countsToProbs(c.weights, V, smoothing));
    }
    const n = await trained('bigram-nn');
    const p = modelProbabilities(n);
    for (const s of rowSums(p, V)) expect(s).toBeCloseTo(1, 14);
    expect(p).toEqual(bigramNetProbs(Float64Array.from(n.weights), V));
    expect(p.every((v) => v > 0)).toBe(true);
  });

  it('reads a model whose data had a "." (a symbol apart from the boundary)', async () => {
    const dotted = parseWordList('j.r.\nann\n', 'dots.txt');
    expect(dotted.symbols.slice(0, 2)).toEqual(['.', '.']);
    const m = (await runTraining(dotted, { model: 'bigram-nn', device: 'cpu', hyper, smoothing: 1, samples: 0 })).model;
    expect(parseModel(serializeModel(m), 'dots.json')).toEqual(m);
  });

  describe('refuses bad files with a UserError naming the file and the problem', () => {
    const good = { format: MODEL_FORMAT, version: MODEL_VERSION, kind: 'bigram-nn', symbols: ['.', 'a', 'b'], hyper: {}, steps: 1, loss: 1, nll: 1, weights: [0, 1, 2, 3, 4, 5, 6, 7, 8] };
    const bad = (patch: Record<string, unknown>) => JSON.stringify({ ...good, ...patch });

    it('accepts the baseline file', () => {
      expect(parseModel(JSON.stringify(good), 'm.json').weights).toEqual(good.weights);
    });

    it.each([
      ['invalid JSON', '{"format": ', /^m\.json: not a model file \(invalid JSON/],
      ['an empty file', '', /^m\.json: not a model file \(invalid JSON/],
      ['a JSON array', '[1, 2]', /^m\.json: not a model file of this tool \(expected "format": "makemore-webgpu\/model"\)/],
      ['JSON null', 'null', /^m\.json: not a model file of this tool/],
      ['the wrong format', bad({ format: 'something-else' }), /^m\.json: not a model file of this tool/],
      ['no format', bad({ format: undefined }), /^m\.json: not a model file of this tool/],
      ['a newer version', bad({ version: 2 }), /^m\.json: model file version 2 is not supported \(this version reads 1\)/],
      ['a version string', bad({ version: '1' }), /^m\.json: model file version "1" is not supported/],
      ['an unknown kind', bad({ kind: 'wavenet' }), /^m\.json: unknown model kind "wavenet" \(known: bigram-counts, bigram-nn, mlp, transformer, rnn, gru, bow, makemore-mlp, makemore-bigram\)/],
      ['too few weights', bad({ weights: [0, 1, 2] }), /^m\.json: corrupted model file: "weights" must hold 3×3 = 9 finite numbers/],
      ['too many weights', bad({ weights: new Array(10).fill(0) }), /"weights" must hold 3×3 = 9/],
      ['weights not an array', bad({ weights: 'abc' }), /"weights" must hold/],
      ['a NaN weight (JSON writes it as null)', bad({ weights: [0, 1, 2, NaN, 4, 5, 6, 7, 8] }), /"weights" must hold 3×3 = 9 finite numbers/],
      ['a string weight', bad({ weights: [0, 1, 2, 'NaN', 4, 5, 6, 7, 8] }), /finite numbers/],
      ['an infinite weight', '{"format":"makemore-webgpu/model","version":1,"kind":"bigram-nn","symbols":[".","a","b"],"weights":[0,1,2,3,4,5,6,7,1e999]}', /finite numbers/],
      ['fractional counts', bad({ kind: 'bigram-counts', weights: [0, 1, 2, 3, 4.5, 5, 6, 7, 8] }), /bigram counts must be non-negative integers/],
      ['negative counts', bad({ kind: 'bigram-counts', weights: [0, 1, 2, 3, -4, 5, 6, 7, 8] }), /bigram counts must be non-negative integers/],
      ['no symbols', bad({ symbols: undefined }), /"symbols" must be 2 to 1024 single-symbol strings/],
      ['a symbol of two letters', bad({ symbols: ['.', 'ab', 'c'] }), /"symbols" must be 2 to 1024 single-symbol strings/],
      ['duplicate data symbols', bad({ symbols: ['.', 'a', 'a'] }), /"symbols" has duplicates/],
      ['no boundary first', bad({ symbols: ['a', '.', 'b'] }), /"symbols" must start with the boundary "\."/],
      ['a control character as a symbol', bad({ symbols: ['.', 'a', '\x1b'] }), /"symbols" holds the control character \\x1b$/],
      ['a negative smoothing', bad({ kind: 'bigram-counts', weights: [1, 1, 1, 1, 1, 1, 1, 1, 1], hyper: { smoothing: -1 } }), /"hyper\.smoothing" must be a finite number ≥ 0, got -1$/],
      ['a smoothing string', bad({ kind: 'bigram-counts', weights: [1, 1, 1, 1, 1, 1, 1, 1, 1], hyper: { smoothing: '1' } }), /"hyper\.smoothing" must be a finite number ≥ 0, got "1"$/],
      ['no smoothing', bad({ kind: 'bigram-counts', weights: [1, 1, 1, 1, 1, 1, 1, 1, 1], hyper: {} }), /"hyper\.smoothing" must be a finite number ≥ 0, got nothing$/],
      ['smoothing 0 and a row of zeros', bad({ kind: 'bigram-counts', weights: [1, 1, 0, 0, 0, 0, 1, 1, 1], hyper: { smoothing: 0 } }), /the counts after "a" are all 0 and "hyper\.smoothing" is 0: nothing can follow it$/],
      ['hyper not an object', bad({ hyper: [1] }), /"hyper" must be an object, got \[1\]$/],
      ['a negative learning rate', bad({ hyper: { lr: -1 } }), /"hyper\.lr" must be a finite number > 0, got -1$/],
      ['a fractional seed', bad({ hyper: { seed: 1.5 } }), /"hyper\.seed" must be an integer from 0 to 9,007,199,254,740,991, got 1\.5$/],
      ['negative steps', bad({ steps: -3 }), /"steps" must be an integer from 0 to 10,000,000, got -3$/],
      ['a loss string', bad({ loss: 'low' }), /"loss" must be a number or null, got "low"$/],
    ])('%s', (_name, text, message) => {
      const e = userError(() => parseModel(text, 'm.json'));
      expect(e.message).toMatch(message);
      expect(e.message.startsWith('m.json: ')).toBe(true);
      expect(e.message).not.toContain('\n');
    });

    it('a loss of null (NaN in JSON) reads as NaN; smoothing 0 without empty rows samples', () => {
      expect(parseModel(bad({ loss: null, nll: null }), 'm.json').loss).toBeNaN();
      const m = parseModel(bad({ kind: 'bigram-counts', weights: [0, 1, 1, 1, 0, 1, 1, 1, 0], hyper: { smoothing: 0 } }), 'm.json');
      expect(modelSamples(m, 5, 1)).toHaveLength(5);
    });

    it('an emoji is one symbol', () => {
      expect(parseModel(bad({ symbols: ['.', '😀', 'é'] }), 'm.json').symbols).toEqual(['.', '😀', 'é']);
    });
  });
});
