import { readFileSync, readdirSync } from 'node:fs';
import { textractText } from '../functions/adapters/textract/blocks.ts';
for (const f of readdirSync('/work/shared/textract').filter(f => f.endsWith('.json'))) {
  const d = JSON.parse(readFileSync('/work/shared/textract/' + f, 'utf8'));
  try { console.log('=====', f, '\n' + textractText(Array.isArray(d) ? d : [d]).slice(0, 1500)); } catch (e) { console.log('=====', f, (e as Error).message); }
}
