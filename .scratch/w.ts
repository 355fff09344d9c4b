import { Worker } from 'node:worker_threads';
const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(new URL('./wt.ts', import.meta.url).href)}); })`;
const w = new Worker(boot, { eval: true });
w.on('message', (m) => { console.log('got', m); process.exit(0); });
w.on('error', (e) => console.log('err', e));
