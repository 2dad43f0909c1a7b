// Issue 7's nine findings, one test (or a few) each: inputs that used to break the backend, crash
// the process or mislead. After every refused or failed call, the next plain tf call and the next
// library call must work.
import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import {
  computeGradients,
  convergenceDelta,
  describeError,
  interpolate,
  message,
  runForward,
  selectTarget,
  sumRows,
  tensorizeBaselines,
} from '../../src/index.js';
import { assert, assertClose, backendName, disposeAll, expectLeft, expectRight, withoutLeaks } from '../support/harness.js';

const EXACT = { atol: 0, rtol: 0 };
/** f(x) = sum of squares per example, [N, 1]. */
const model = (x: tf.Tensor, ..._rest: unknown[]): tf.Tensor => tf.sum(tf.square(x), 1, true);

/** The next plain tf call and the next library call both work. */
async function stillWorks(what: string): Promise<void> {
  const a = tf.tensor1d([1, 2, 3, 4]);
  const b = tf.add(a, 1);
  assertClose(await b.data(), [2, 3, 4, 5], EXACT, `${what}: a plain tf op afterwards`);
  const m = tf.tensor2d([[1, 2], [3, 4]]);
  const r = expectRight(await sumRows(m), `${what}: sumRows afterwards`);
  assertClose(await r.total.data(), [3, 7], EXACT, `${what}: sumRows afterwards`);
  const up = expectRight(interpolate(tf.tensor4d([0, 1, 2, 3], [1, 2, 2, 1]), [4, 4], 'bilinear'), `${what}: interpolate afterwards`);
  assertClose((await up.data()).slice(0, 4), [0, 0.25, 0.75, 1], { atol: 1e-6, rtol: 0 }, `${what}: interpolate afterwards`);
  disposeAll(a, b, m, r, up);
}

const s = suite(`resilience: issue 7's findings (${backendName})`);

// ---- 1. allocation budgets -----------------------------------------------------------------

s('1. interpolate refuses [64,7,7,512] -> [224,224] bilinear (6.6 GB) with AllocationTooLarge at interpolateDims, fast, and the backend still works', async () => {
  const x = tf.ones([64, 7, 7, 512]);
  await withoutLeaks('big bilinear', async () => {
    const t0 = Date.now();
    const r = interpolate(x, [224, 224], 'bilinear');
    const [e] = expectLeft(r, ['AllocationTooLarge'], 'bilinear 6.6 GB');
    assert(e?.path === 'interpolateDims', `path ${e?.path}`);
    assert(Date.now() - t0 < 5000, `refused in ${Date.now() - t0} ms`);
    assert(/GiB/.test(message(r._tag === 'Left' ? r.left : [])), 'the message gives the size');
  });
  x.dispose();
  await stillWorks('after the 6.6 GB bilinear');
});
s('1. interpolate refuses [1,2,2,1] -> 32768² nearest (a 4 GiB output) and a 9.7 GB trilinear, leaking nothing', async () => {
  const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
  const v = tf.ones([2, 4, 4, 4, 64]);
  await withoutLeaks('huge nearest and trilinear', async () => {
    expectLeft(interpolate(x, [32768, 32768], 'nearest'), ['AllocationTooLarge'], 'nearest 32768²');
    for (let i = 0; i < 3; i++) expectLeft(interpolate(v, [256, 256, 144], 'trilinear'), ['AllocationTooLarge'], 'trilinear');
  });
  disposeAll(x, v);
  await stillWorks('after the 4 GiB nearest');
});
s('1. interpolate [1,2,2,1] -> 25000² nearest (2.5 GB, over 2 GiB in one tensor) is refused on cpu and wasm, and right or refused on webgpu', async () => {
  const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
  const r = interpolate(x, [25000, 25000], 'nearest');
  if (backendName !== 'webgpu') expectLeft(r, ['AllocationTooLarge'], 'nearest 25000²');
  else if (r._tag === 'Right') {
    const corner = tf.slice(r.right, [0, 24999, 24999, 0], [1, 1, 1, 1]);
    assertClose(await corner.data(), [4], EXACT, 'the last cell');
    disposeAll(corner, r.right);
  } else expectLeft(r, ['AllocationTooLarge'], 'nearest 25000²');
  x.dispose();
  await stillWorks('after the 2.5 GB nearest');
});

// ---- 2. a model returning a rejecting Promise -------------------------------------------------

s('2. a model returning a rejecting Promise gives ModelOutputInvalid and leaves no unhandled rejection (runForward, computeGradients, convergenceDelta)', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    const rejecting = (() => Promise.reject(new Error('an async model'))) as unknown as typeof model;
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    await withoutLeaks('rejecting model', async () => {
      expectLeft(await runForward(rejecting, x), ['ModelOutputInvalid'], 'runForward');
      expectLeft(await computeGradients(rejecting, x), ['ModelOutputInvalid'], 'computeGradients');
      expectLeft(await convergenceDelta(rejecting, { attributions: x, endPoint: x }), ['ModelOutputInvalid'], 'convergenceDelta');
      const reducer = (() => Promise.reject(new Error('an async reducer'))) as never;
      expectLeft(await selectTarget(x, { kind: 'reduce', fn: reducer }), ['ModelOutputInvalid'], 'selectTarget(reduce)');
    });
    x.dispose();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert(unhandled.length === 0, `${unhandled.length} unhandled rejection(s)`);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  await stillWorks('after a rejecting model');
});

// ---- 3. inputs disposed while a call is in flight ----------------------------------------------

s('3. a tensor disposed while the call is in flight does not break it (sumRows, runForward, computeGradients, convergenceDelta, selectTarget)', async () => {
  await withoutLeaks('disposed mid-call', async () => {
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const p = sumRows(x);
    x.dispose();
    const r = expectRight(await p, 'sumRows');
    assertClose(await r.total.data(), [3, 7], EXACT, 'sumRows');
    disposeAll(r);

    const y = tf.tensor2d([[1, 2], [3, 4]]);
    const arg = tf.tensor2d([[2], [3]]);
    const t = tf.tensor1d([0, 0], 'int32');
    const scaled = (v: tf.Tensor, k: tf.Tensor) => tf.mul(model(v), k);
    const pf = runForward(scaled as never, y, t, [arg]);
    const pg = computeGradients(scaled as never, y, t, [arg]);
    y.dispose();
    arg.dispose();
    t.dispose();
    const f = expectRight(await pf, 'runForward');
    assertClose(await f.data(), [10, 75], EXACT, 'runForward: k * sum x^2');
    const g = expectRight(await pg, 'computeGradients') as tf.Tensor;
    assertClose(await g.data(), [4, 8, 18, 24], EXACT, 'computeGradients: 2 k x');
    disposeAll(f, g);

    const end = tf.tensor2d([[1, 2], [3, 4]]);
    const att = tf.tensor2d([[1, 1], [2, 2]]);
    const start = tf.tensor2d([[1, 0]]);
    const pd = convergenceDelta(model, { attributions: att, endPoint: end, startPoint: start });
    disposeAll(end, att, start);
    const d = expectRight(await pd, 'convergenceDelta');
    // sum(att) - (F(end) - F(start)): [2 - (5 - 1), 4 - (25 - 1)]
    assertClose(await d.data(), [-2, -20], EXACT, 'convergenceDelta');
    d.dispose();

    const out = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const ps = selectTarget(out, [2, 0]);
    out.dispose();
    const sel = expectRight(await ps, 'selectTarget');
    assertClose(await sel.data(), [3, 4], EXACT, 'selectTarget');
    sel.dispose();
  });
  const gone = tf.tensor2d([[1, 2]]);
  gone.dispose();
  const [e] = expectLeft(await sumRows([tf.ones([1, 2]), gone]), ['TensorDisposed'], 'disposed at entry');
  assert(e?.path === 'input[1]', `path ${e?.path}`);
  await stillWorks('after mid-call disposal');
});

// ---- 4. odd thrown values ---------------------------------------------------------------------

s('4. anything a model throws is ModelThrew: Object.create(null), an Error whose message getter throws, a throwing Proxy, a symbol, undefined', async () => {
  const badMessage = new Error('x');
  Object.defineProperty(badMessage, 'message', {
    get() {
      throw new Error('message getter');
    },
  });
  const proxy = new Proxy(
    {},
    {
      get() {
        throw new Error('trap');
      },
      getPrototypeOf() {
        throw new Error('trap');
      },
    },
  );
  const thrown: [string, unknown][] = [
    ['Object.create(null)', Object.create(null)],
    ['an Error with a throwing message getter', badMessage],
    ['a throwing Proxy', proxy],
    ['a symbol', Symbol('s')],
    ['undefined', undefined],
  ];
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  for (const [label, value] of thrown) {
    const throwing = (() => {
      throw value;
    }) as unknown as typeof model;
    await withoutLeaks(label, async () => {
      for (const [fn, r] of [
        ['runForward', await runForward(throwing, x)],
        ['computeGradients', await computeGradients(throwing, x)],
        ['convergenceDelta', await convergenceDelta(throwing, { attributions: x, endPoint: x })],
      ] as const) {
        const [e] = expectLeft(r, ['ModelThrew'], `${fn} <- ${label}`);
        assert(e?.path === 'model', `${fn} <- ${label}: path ${e?.path}`);
        assert(typeof message(r._tag === 'Left' ? r.left : []) === 'string', 'readable');
      }
    });
  }
  x.dispose();
  await stillWorks('after odd thrown values');
});

// ---- 5. int32 row sums past 2^31 ----------------------------------------------------------------

s('5. int32 row sums are exact or refused, never wrapped: 2147483647 + 1 is a Left naming the input', async () => {
  const over = tf.tensor2d([[2147483647, 1]], [1, 2], 'int32');
  const under = tf.tensor2d([[-2147483648, -1]], [1, 2], 'int32');
  const edge = tf.tensor2d([[2147483646, 1], [-2147483647, -1]], [2, 2], 'int32');
  const wide = tf.tensor2d([[2147483647, 0, 0, 0, 0, 1]], [1, 6], 'int32'); // past the SIMD block of 4
  const one = tf.tensor2d([[2147483647]], [1, 1], 'int32');
  await withoutLeaks('int32 sums', async () => {
    for (const [label, t] of [['2^31-1 + 1', over], ['-2^31 - 1', under], ['six columns', wide]] as const) {
      const [e] = expectLeft(await sumRows(t), ['InvalidArgument'], label);
      assert(e?.path === 'input', `${label}: path ${e?.path}`);
    }
    const [e] = expectLeft(await sumRows([one, one]), ['InvalidArgument'], 'a total past int32');
    assert(e?.path === 'input', `total: path ${e?.path}`);
    const r = expectRight(await sumRows(edge), 'the int32 edges');
    assert(r.total.dtype === 'int32', 'int32 sums');
    assertClose(await r.total.data(), [2147483647, -2147483648], EXACT, 'the int32 edges, exactly');
    disposeAll(r);
  });
  disposeAll(over, under, edge, wide, one);
  await stillWorks('after refused int32 sums');
});

// ---- 6. the formatters are total --------------------------------------------------------------

s('6. message and describeError never throw and always say something: null, [null], a throwing Proxy, an unknown tag, missing fields', () => {
  const proxy = new Proxy(
    {},
    {
      get() {
        throw new Error('trap');
      },
    },
  );
  const arrayProxy = new Proxy([], {
    get() {
      throw new Error('trap');
    },
  });
  const cases: [string, () => string][] = [
    ['message(null)', () => message(null as never)],
    ['describeError(null)', () => describeError(null as never)],
    ['message([null])', () => message([null] as never)],
    ['message(<throwing Proxy>)', () => message(proxy as never)],
    ['message(<throwing array Proxy>)', () => message(arrayProxy as never)],
    ['describeError(<throwing Proxy>)', () => describeError(proxy as never)],
    ["describeError({_tag: 'Bogus'})", () => describeError({ _tag: 'Bogus' } as never)],
    ["describeError({_tag: 'BaselineShapeInvalid'}) without its fields", () => describeError({ _tag: 'BaselineShapeInvalid', path: 'b' } as never)],
    ['describeError(a ModelThrew whose message is a symbol)', () => describeError({ _tag: 'ModelThrew', path: 'model', message: Symbol('m') } as never)],
    ['message(7)', () => message(7 as never)],
  ];
  for (const [label, f] of cases) {
    let out: unknown;
    try {
      out = f();
    } catch (e) {
      throw new Error(`${label} threw ${String(e)}`);
    }
    assert(typeof out === 'string' && out.length > 0, `${label} gave ${String(out)}`);
  }
  assert(describeError({ _tag: 'Bogus' } as never).includes('Bogus'), 'an unknown tag is named');
});

// ---- 7. numbers outside float32's range ---------------------------------------------------------

s("7. a baseline of 1e308 (Infinity in float32) is refused like Infinity; 3.4e38 is accepted", async () => {
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  const xi = tf.tensor2d([[1, 2], [3, 4]], undefined, 'int32');
  await withoutLeaks('float32 range', async () => {
    for (const v of [1e308, -1e308, 3.5e38]) {
      const [e] = expectLeft(tensorizeBaselines(x, v), ['BaselineTypeInvalid'], `baseline ${v}`);
      assert(e?.path === 'baselines', `path ${e?.path}`);
    }
    const [e] = expectLeft(await convergenceDelta(model, { attributions: x, endPoint: x, startPoint: 1e308 }), ['BaselineTypeInvalid'], 'startPoint 1e308');
    assert(e?.path === 'startPoint', `path ${e?.path}`);
    expectLeft(tensorizeBaselines(xi, 1e10), ['BaselineTypeInvalid'], 'an int32 input with baseline 1e10');
    const ok = expectRight(tensorizeBaselines(x, 3.4e38), 'baseline 3.4e38') as tf.Tensor;
    assertClose(await ok.data(), [Math.fround(3.4e38), Math.fround(3.4e38), Math.fround(3.4e38), Math.fround(3.4e38)], EXACT, '3.4e38');
    ok.dispose();
  });
  disposeAll(x, xi);
  await stillWorks('after float32-range baselines');
});

// ---- 8. sizes and counts before work -----------------------------------------------------------

s('8. an object built on the Tensor prototype is an InvalidArgument naming the argument', async () => {
  const fake = Object.create(tf.Tensor.prototype) as tf.Tensor;
  const [e] = expectLeft(await sumRows(fake), ['InvalidArgument'], 'sumRows(fake)');
  assert(e?.path === 'input', `path ${e?.path}`);
  const x = tf.tensor2d([[1, 2]]);
  const [g] = expectLeft(await computeGradients(model, [x, fake]), ['InvalidArgument'], 'computeGradients([x, fake])');
  assert(g?.path === 'inputs[1]', `path ${g?.path}`);
  const [i] = expectLeft(interpolate(fake, 2), ['InvalidArgument'], 'interpolate(fake)');
  assert(i?.path === 'layerAttribution', `path ${i?.path}`);
  x.dispose();
  await stillWorks('after a prototype-built fake');
});
s('8. 200,000 extra forward arguments are an InvalidArgument at additionalForwardArgs; the model never runs', async () => {
  let calls = 0;
  const counting = (x: tf.Tensor) => {
    calls++;
    return model(x);
  };
  const x = tf.tensor2d([[1, 2]]);
  const many = new Array<number>(200_000).fill(1);
  await withoutLeaks('200,000 args', async () => {
    for (const r of [await runForward(counting, x, undefined, many), await computeGradients(counting, x, undefined, many)]) {
      const [e] = expectLeft(r, ['InvalidArgument'], '200,000 args');
      assert(e?.path === 'additionalForwardArgs', `path ${e?.path}`);
    }
  });
  assert(calls === 0, `the model ran ${calls} times`);
  x.dispose();
  await stillWorks('after 200,000 args');
});
s('8. a per-example target of 10 million entries on a batch of 2 is refused at once (TargetCountMismatch)', async () => {
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  const big = new Array<number>(10_000_000).fill(0);
  const classes = (v: tf.Tensor) => tf.concat([model(v), model(v)], 1);
  await withoutLeaks('1e7 targets', async () => {
    for (const [fn, call] of [
      ['runForward', () => runForward(classes, x, big)],
      ['computeGradients', () => computeGradients(classes, x, big)],
      ['convergenceDelta', () => convergenceDelta(classes, { attributions: x, endPoint: x, target: big })],
      ['selectTarget', () => selectTarget(x, big)],
    ] as const) {
      const t0 = Date.now();
      const r = await call();
      const ms = Date.now() - t0;
      const [e] = expectLeft(r, ['TargetCountMismatch'], fn);
      assert(e?.path === 'target', `${fn}: path ${e?.path}`);
      assert(ms < 300, `${fn}: refused in ${ms} ms`);
    }
  });
  x.dispose();
  await stillWorks('after 1e7 targets');
});

// ---- 9. area precision and int32 ---------------------------------------------------------------

s("9. 'area' from 4000x4000 to 1 keeps float32 precision on every backend (relative error < 1e-7 against an f64 mean)", async () => {
  // A deterministic pattern (LCG) in [1000, 1001), so the f64 mean is computed independently of any
  // backend; a float32 running sum (wasm's tf.sum) errs by ~6e-6 relative here.
  const n = 4000;
  const data = new Float32Array(n * n);
  let seed = 12345;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    data[i] = 1000 + seed / 2147483648;
  }
  let sum = 0;
  for (const v of data) sum += v;
  const exact = sum / data.length;
  const x = tf.tensor4d(data, [1, n, n, 1]);
  await withoutLeaks('area 4000²', async () => {
    const r = expectRight(interpolate(x, 1, 'area'), 'area 4000² -> 1');
    const [got] = await r.data();
    const rel = Math.abs((got as number) - exact) / exact;
    assert(rel < 1e-7, `relative error ${rel.toExponential(2)}`);
    r.dispose();
  });
  x.dispose();
});
s("9. 'area' on an int32 input returns real float32 data, the same on every backend (identity and reducing cases)", async () => {
  const big = 16777217; // 2^24 + 1: float32 holds 16777216
  const x = tf.tensor4d([1, 2, 3, big], [1, 2, 2, 1], 'int32');
  await withoutLeaks('int32 area', async () => {
    const same = expectRight(interpolate(x, [2, 2], 'area'), 'identity');
    const down = expectRight(interpolate(x, [2, 1], 'area'), 'reduce');
    for (const [label, t, want] of [
      ['identity', same, [1, 2, 3, 16777216]],
      ['reduce', down, [1.5, Math.fround((3 + big) / 2)]],
    ] as const) {
      const values = await t.data();
      assert(t.dtype === 'float32' && values instanceof Float32Array, `${label}: dtype ${t.dtype}, data ${values.constructor.name}`);
      assertClose(values, want, EXACT, label);
    }
    disposeAll(same, down);
  });
  x.dispose();
  await stillWorks('after int32 area');
});

s.run();
