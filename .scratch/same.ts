import fs from 'node:fs';
import { assertSameItems } from '../test/helpers.js';
assertSameItems(fs.readFileSync(process.argv[2], 'utf8'), fs.readFileSync(process.argv[3], 'utf8'));
console.log('same within 1e-5');
