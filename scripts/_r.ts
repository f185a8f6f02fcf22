import { DocumentReader } from '../functions/reader/read-document.ts';
import { classifyLetter } from '../functions/domain/index.ts';
const reader = new DocumentReader();
for (const f of process.argv.slice(2)) {
  const t = performance.now();
  const doc = await reader.readFile(f);
  const d = classifyLetter(doc.text, { ocrConfidence: doc.ocrConfidence, warnings: doc.warnings });
  console.log(f, doc.kind, doc.pageCount, doc.engine, doc.ocrConfidence?.toFixed(3), ((performance.now() - t) / 1000).toFixed(1) + 's', d.status === 'CLASSIFIED' ? d.items.map(i => `${i.request} ${i.decision} ${i.category}/${i.subcategory} ${i.confidence} ${i.flags}`).join(' | ') : d.reason, d.status === 'CLASSIFIED' ? d.flags + ' ' + d.warnings : '');
}
await reader.close();
