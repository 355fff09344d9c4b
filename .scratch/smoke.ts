import { openStore } from '../src/store/open.ts';
const s = openStore(process.env.U!);
const t0 = Date.now();
s.put('m', 'k1', { kind: 'loglikelihood', logprob: -1.5, tokens: 2, greedy: false });
console.log(s.getMany('m', ['k1', 'k2']), s.logPosition('m'), s.claim('m', ['k1','k2','k3'], 0));
let n = 0; for (let i = 0; i < 200; i++) { s.logPosition('m'); n++; }
console.log('200 calls ms', Date.now() - t0);
s.close();
