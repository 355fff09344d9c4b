import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.js';

export const VERSION: string = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version;
